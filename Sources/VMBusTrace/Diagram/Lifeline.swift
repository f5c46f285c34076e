import VMBusHost
import VMBusWire

/// A thing whose state a diagram follows over a session: the bus, a channel, a GPADL.
package enum LifelineKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The bus state machine (`VMBus.state`), or `faulted`.
  case bus
  /// One channel, by relid.
  case channel(ChannelID)
  /// One GPADL, by id.
  case gpadl(GpadlID)

  /// `bus`, `channel 1`, `gpadl 925200`.
  package var description: String {
    switch self {
    case .bus: "bus"
    case .channel(let id): "channel \(id.rawValue)"
    case .gpadl(let id): "gpadl \(id.rawValue)"
    }
  }

  /// The bus first, then channels by relid, then GPADLs by id.
  package static func < (lhs: Self, rhs: Self) -> Bool {
    switch (lhs, rhs) {
    case (.bus, .bus): false
    case (.bus, _): true
    case (_, .bus): false
    case (.channel(let a), .channel(let b)): a < b
    case (.channel, .gpadl): true
    case (.gpadl, .channel): false
    case (.gpadl(let a), .gpadl(let b)): a < b
    }
  }
}

/// From `start` on (until the next span of the same lifeline), the lifeline was in `state`.
package struct LifelineSpan: Hashable, Sendable {
  /// The seq of the event that put the lifeline in this state.
  package var start: Int
  /// The state's name: a bus state (`listen`, `create_gpadl`, `faulted`), a channel's
  /// (`not_offered`, `offering`, `offered`, `opening`, `open_failed`, `open`), a GPADL's
  /// (`init`, `alive`, `tearingdown`, `torndown`), or `absent`.
  package var state: String

  package init(start: Int, state: String) {
    self.start = start
    self.state = state
  }
}

/// The lifeline state names, shared by every exporter.
package enum LifelineState {
  /// The object does not exist (before it appears, after it is freed).
  package static let absent = "absent"

  /// The bus's state, or `faulted` once the host crashed.
  package static func of(bus state: HostState) -> String {
    state.fault == nil ? state.bus.description : "faulted"
  }

  /// Open progress when there is some, else offer progress.
  package static func of(_ channel: Channel) -> String {
    switch channel.state {
    case .open: "open"
    case .opening(_, let hostOpen): hostOpen == false ? "open_failed" : "opening"
    case .initial:
      switch channel.offer {
      case .initial: "not_offered"
      case .sending: "offering"
      case .sent: "offered"
      }
    }
  }

  /// QEMU's GPADL state.
  package static func of(_ gpadl: Gpadl) -> String {
    gpadl.state.description
  }
}

/// Records, event by event, when each lifeline changed state.
package struct LifelineTracker: Sendable {
  /// Spans per lifeline, each list in seq order.
  package private(set) var spans: [LifelineKey: [LifelineSpan]] = [:]
  private var current: [LifelineKey: String] = [:]

  package init() {}

  /// Notes the state after event `seq`.
  package mutating func observe(seq: Int, state: HostState) {
    var seen: Set<LifelineKey> = [.bus]
    record(.bus, LifelineState.of(bus: state), seq)
    for channel in state.channels {
      seen.insert(.channel(channel.id))
      record(.channel(channel.id), LifelineState.of(channel), seq)
    }
    for gpadl in state.gpadls {
      seen.insert(.gpadl(gpadl.id))
      record(.gpadl(gpadl.id), LifelineState.of(gpadl), seq)
    }
    // Each lifeline keeps its own spans, so the order these are recorded in reaches nothing.
    let gone = current.keys.filter { !seen.contains($0) }
    for key in gone { record(key, LifelineState.absent, seq) }
  }

  /// The lifelines in order: bus, channels, GPADLs.
  package var keys: [LifelineKey] { spans.keys.sorted() }

  private mutating func record(_ key: LifelineKey, _ state: String, _ seq: Int) {
    guard current[key] != state else { return }
    if state == LifelineState.absent {
      current[key] = nil
    } else {
      current[key] = state
    }
    spans[key, default: []].append(LifelineSpan(start: seq, state: state))
  }
}
