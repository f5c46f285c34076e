import VMBusHost
import VMBusWire

/// What a failure is grouped by: the property it breaks, its root cause (the QEMU check or
/// path), the trace point where it happened and the bus state. Two runs with equal
/// signatures are the same problem; run-specific numbers (ids, values) are never part of it.
package struct FailureSignature: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  package var property: FuzzProperty
  package var rootCause: RootCause
  /// Where QEMU failed: for a hang with a root cause, the trace point of the function that
  /// dropped the request (``RootCause/dropPoint``); for a fault, the last main-loop trace
  /// point before it, or where the fault itself is (`synic_reset` in the machine reset, the
  /// late `vmbus_msg_cb`); for an invariant, a transition or a fold rule, the event that
  /// broke it (maybe a simulator event).
  package var tracePoint: FailurePoint
  /// The bus state the failure happened in.
  package var busState: BusState
  /// For a hang no oracle attributed (`guest_hang.unattributed`): the reply the guest waits
  /// for, which is then all that tells two such hangs apart. Nil otherwise.
  package var awaiting: MessageType?

  /// The root cause of a hang the owed-reply oracle did not attribute.
  package static let unattributedHang = RootCause("guest_hang.unattributed")

  package init(
    property: FuzzProperty, rootCause: RootCause, tracePoint: FailurePoint, busState: BusState,
    awaiting: MessageType? = nil
  ) {
    self.property = property
    self.rootCause = rootCause
    self.tracePoint = tracePoint
    self.busState = busState
    self.awaiting = awaiting
  }

  /// `host_fault send_unload.no_sint_route @ vmbus_post_msg in unload`, with
  /// ` awaiting GPADL_CREATED` for an unattributed hang.
  package var description: String {
    "\(property.rawValue) \(rootCause) @ \(tracePoint) in \(busState)"
      + (awaiting.map { " awaiting \($0.name)" } ?? "")
  }

  package static func < (lhs: Self, rhs: Self) -> Bool {
    (
      lhs.property.rawValue, lhs.rootCause, lhs.tracePoint, lhs.busState.rawValue,
      lhs.awaiting?.rawValue ?? 0
    )
      < (
        rhs.property.rawValue, rhs.rootCause, rhs.tracePoint, rhs.busState.rawValue,
        rhs.awaiting?.rawValue ?? 0
      )
  }
}

extension FailureSignature {
  /// Parses the text form (`description`); nil when `text` is not in it (for example a
  /// signature written before root causes, see ``RecordedSignature``).
  package init?(text: String) {
    var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    var awaiting: MessageType?
    if words.count == 8 {
      guard words[6] == "awaiting", let type = MessageType(name: words[7]) else { return nil }
      awaiting = type
      words.removeLast(2)
    }
    guard words.count == 6, words[2] == "@", !words[3].isEmpty, words[4] == "in",
      let property = FuzzProperty(rawValue: words[0]), words[1].contains("."),
      let bus = BusState.named(words[5])
    else { return nil }
    self.init(
      property: property, rootCause: RootCause(words[1]), tracePoint: FailurePoint(name: words[3]),
      busState: bus,
      awaiting: awaiting)
  }
}

extension BusState {
  /// The state named as `description` names it (`listen`, `create_gpadl`, ...).
  static func named(_ name: String) -> BusState? {
    allCases.first { $0.description == name }
  }
}
