import VMBusHost
import VMBusWire

/// One atomic thing an actor does in a scheduler step. Scenario steps compile to these.
enum GuestOp: Hashable, Sendable {
  /// Post a message; on a final failure jump to `onFailure` (nil: carry on).
  case post(MessageSpec, retry: RetryPolicy, onFailure: Int?)
  /// Wait for a host message.
  case waitFor(WaitSpec, onTimeout: TimeoutAction)
  /// Let virtual time pass.
  case sleep(VirtualDuration)
  /// Act on the environment.
  case environment(EnvironmentAction)
  /// Continue at `target`.
  case jump(to: Int)
  /// Continue at `target` if the last VERSION_RESPONSE refused the version.
  case jumpIfRefused(to: Int)
  /// Continue at `target` if the negotiated version is below `version` (or none).
  case jumpIfConnectedBelow(ProtocolVersion, to: Int)
  /// Take the next GPADL id for a device channel's ring (Linux's global counter).
  case allocateRingGpadl(device: String, subchannel: UInt16)
  /// Remember the version the host accepted.
  case recordConnected(ProtocolVersion)
  /// End the run with an expectation failure.
  case fail(String)
}

/// How an actor treats a failed HvPostMessage.
enum RetryPolicy: Hashable, Sendable {
  /// One attempt.
  case none
  /// Linux's `vmbus_post_msg`: up to 100 attempts on INSUFFICIENT_MEMORY/BUFFERS (and on
  /// INVALID_CONNECTION_ID except for INITIATE_CONTACT), backing off from 1 µs, doubling up
  /// to 2^21 µs.
  case linux(isContact: Bool)

  /// Whether `status` on attempt `attempt` (1-based) is retried, and after how long.
  func backoff(after status: HypercallStatus, attempt: Int) -> VirtualDuration? {
    guard case .linux(let isContact) = self, attempt < 100 else { return nil }
    let retried =
      status.rawValue == 11 || status == .insufficientBuffers
      || (status == .invalidConnectionID && !isContact)
    guard retried else { return nil }
    return .microseconds(1 << UInt64(min(attempt - 1, 21)))
  }
}

/// What an expired wait does.
enum TimeoutAction: Hashable, Sendable {
  /// The run fails (or passes, for a wait that expects the timeout).
  case fail
  /// Linux logs and carries on (ALLOFFERS_DELIVERED after 60 s, crash unload after 100 s).
  case proceed
}

/// An actor's compiled script, with each op's originating step for messages.
struct GuestProgram: Hashable, Sendable {
  var ops: [GuestOp] = []
  var origins: [SourceLocation?] = []

  mutating func append(_ op: GuestOp, from step: Step) {
    ops.append(op)
    origins.append(step.location)
  }

  var nextIndex: Int { ops.count }
}
