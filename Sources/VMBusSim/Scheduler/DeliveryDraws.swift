/// What one outcome of a delivery attempt draws, in the order `deliver` draws it: whether the
/// message page is missing, then whether the slot is busy; nil where it draws nothing.
/// Eight bytes inline (no draw is `UInt32.max`): every explored state keeps the draws of the
/// step that reached it.
struct DeliveryDraws: Hashable, Sendable {
  private var page = notDrawn
  private var busy = notDrawn
  private static var notDrawn: UInt32 { .max }

  init(pageMissing: UInt32? = nil, slotBusy: UInt32? = nil) {
    self.pageMissing = pageMissing
    self.slotBusy = slotBusy
  }

  var pageMissing: UInt32? {
    get { page == Self.notDrawn ? nil : page }
    set { page = newValue ?? Self.notDrawn }
  }

  var slotBusy: UInt32? {
    get { busy == Self.notDrawn ? nil : busy }
    set { busy = newValue ?? Self.notDrawn }
  }

  var isEmpty: Bool { page == Self.notDrawn && busy == Self.notDrawn }

  /// The draws in order, as a run's choices record them.
  func append(to choices: inout [UInt32]) {
    if let pageMissing { choices.append(pageMissing) }
    if let slotBusy { choices.append(slotBusy) }
  }
}

/// The outcomes of one delivery attempt (at most three: the page missing, then the slot busy
/// or not), inline: the explorer asks for them at every delivery it branches on.
struct DeliveryOutcomes: RandomAccessCollection {
  private var slots = (DeliveryDraws(), DeliveryDraws(), DeliveryDraws())
  private(set) var endIndex = 0
  var startIndex: Int { 0 }

  /// The one outcome of an attempt that draws nothing.
  static var undrawn: DeliveryOutcomes {
    var outcomes = DeliveryOutcomes()
    outcomes.append(DeliveryDraws())
    return outcomes
  }

  subscript(index: Int) -> DeliveryDraws {
    switch index {
    case 0: slots.0
    case 1: slots.1
    default: slots.2
    }
  }

  /// Adds an outcome; `deliveryDrawOutcomes` makes at most three.
  mutating func append(_ draws: DeliveryDraws) {
    switch endIndex {
    case 0: slots.0 = draws
    case 1: slots.1 = draws
    default: slots.2 = draws
    }
    endIndex = Swift.min(endIndex + 1, 3)
  }
}
