/// The top-level fields of ``HostState`` in the canonical encoding: the one table the
/// encoding, the decoder, the exploration key and the report's state pieces walk.
///
/// The raw value is the field's tag in the encoding (docs/state-encoding.md); a tag, once
/// shipped, is never reused. Each case is named after the stored property it encodes, and
/// `Tests/VMBusHostTests/Encoding` fails when ``HostState`` gains a property not listed here.
public enum StateField: UInt8, CaseIterable, Hashable, Sendable {
  /// ``HostState/profile``.
  case profile = 1
  /// ``HostState/machine``.
  case machine = 2
  /// ``HostState/bus``.
  case bus = 3
  /// ``HostState/messageInFlight``.
  case messageInFlight = 4
  /// ``HostState/pendingRuns``.
  case pendingRuns = 5
  /// ``HostState/busNotifierSet``.
  case busNotifierSet = 6
  /// ``HostState/version``.
  case version = 7
  /// ``HostState/targetVP``.
  case targetVP = 8
  /// ``HostState/interruptPage``.
  case interruptPage = 9
  /// ``HostState/rxQueue``.
  case rxQueue = 10
  /// ``HostState/devices``.
  case devices = 11
  /// ``HostState/channels``.
  case channels = 12
  /// ``HostState/gpadls``.
  case gpadls = 13
  /// ``HostState/fault``.
  case fault = 14
  /// ``HostState/faultJustTraced``.
  case faultJustTraced = 15
  /// ``HostState/routeKnown``.
  case routeKnown = 16
  /// ``HostState/handling``.
  case handling = 17
  /// ``HostState/announcedPost``.
  case announcedPost = 18
  /// ``HostState/awaiting``.
  case awaiting = 19
  /// ``HostState/failureReply``.
  case failureReply = 20

  /// `allCases`, built once: the synthesized property builds a new array on every call,
  /// and the walk runs for every state the explorer reaches.
  static let inOrder = allCases

  /// The field's name in documents and reports (`message_in_flight`).
  public var name: String {
    switch self {
    case .profile: "profile"
    case .machine: "machine"
    case .bus: "bus"
    case .messageInFlight: "message_in_flight"
    case .pendingRuns: "pending_runs"
    case .busNotifierSet: "bus_notifier_set"
    case .version: "version"
    case .targetVP: "target_vp"
    case .interruptPage: "interrupt_page"
    case .rxQueue: "rx_queue"
    case .devices: "devices"
    case .channels: "channels"
    case .gpadls: "gpadls"
    case .fault: "fault"
    case .faultJustTraced: "fault_just_traced"
    case .routeKnown: "route_known"
    case .handling: "handling"
    case .announcedPost: "announced_post"
    case .awaiting: "awaiting"
    case .failureReply: "failure_reply"
    }
  }

  /// Whether the exhaustive explorer's key holds the field. The reducer's within-action
  /// bookkeeping (the message being handled, the post an output announced, a bare-trace
  /// inference) is settled before an action ends, so it never tells two states apart there.
  public var isInExplorationKey: Bool {
    switch self {
    case .handling, .announcedPost, .awaiting: false
    case .profile, .machine, .bus, .messageInFlight, .pendingRuns, .busNotifierSet, .version,
      .targetVP, .interruptPage, .rxQueue, .devices, .channels, .gpadls, .fault, .faultJustTraced,
      .routeKnown, .failureReply:
      true
    }
  }
}
