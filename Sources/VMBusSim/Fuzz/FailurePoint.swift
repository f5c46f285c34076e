import VMBusHost

/// Where a failure happened: the last QEMU main-loop trace point before a fault or a hang,
/// the event that broke an invariant, a transition or a fold rule (a trace point or a
/// simulator event), or the start of the run.
package enum FailurePoint: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// Before any event that could name it.
  case start
  /// One of QEMU's trace points.
  case trace(TracePoint)
  /// A simulator event, by its name (`sim_machine_reset`, ...).
  case simulator(String)

  /// The point an event name names: `start`, a `vmbus_*` trace point, else a simulator event.
  package init(name: String) {
    if name == "start" {
      self = .start
    } else if let point = TracePoint(rawValue: name) {
      self = .trace(point)
    } else {
      self = .simulator(name)
    }
  }

  /// `start`, QEMU's trace point name, or the simulator event's name.
  package var description: String {
    switch self {
    case .start: "start"
    case .trace(let point): point.rawValue
    case .simulator(let name): name
    }
  }

  package static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}
