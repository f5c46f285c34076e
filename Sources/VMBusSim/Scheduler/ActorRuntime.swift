import VMBusHost
import VMBusWire

/// An actor while the run goes on: its program counter and what it is waiting for.
struct ActorRuntime: Sendable {
  enum Status: Sendable {
    /// Can take its next op.
    case ready
    /// Asleep until the time given (a sleep step or a hypercall retry back-off).
    case sleeping(until: VirtualDuration)
    /// Waiting for a host message; `deadline` nil waits forever.
    case waiting(Waiting)
    /// Finished its script.
    case done
  }

  struct Waiting: Sendable {
    var condition: ReplyCondition
    var expect: ReplyCondition
    var deadline: VirtualDuration?
    var onTimeout: TimeoutAction
    var expectTimeout: Bool
  }

  let name: String
  let program: GuestProgram
  var pc = 0
  var status = Status.ready
  /// 1-based attempt of the current post (Linux retries some statuses).
  var attempt = 1
  /// Host messages delivered since the actor started and not yet consumed by a wait.
  var inbox: [ChannelMessage] = []
  /// The last VERSION_RESPONSE this actor consumed refused its version.
  var lastVersionRefused = false
  /// A waiting actor's inbox holds a message its wait matches (kept current on arrival, so
  /// the scheduler need not scan inboxes every step).
  var hasMatchingMessage = false

  init(name: String, program: GuestProgram) {
    self.name = name
    self.program = program
  }

  var isDone: Bool {
    if case .done = status { true } else { false }
  }

  /// The op at the program counter, or nil at the end.
  var currentOp: GuestOp? { pc < program.ops.count ? program.ops[pc] : nil }

  /// The script location of the current op, for messages.
  var currentLocation: SourceLocation? { pc < program.origins.count ? program.origins[pc] : nil }

  /// Delivers a host message to this actor's inbox.
  mutating func receive(_ message: ChannelMessage) {
    inbox.append(message)
    if case .waiting(let waiting) = status, waiting.condition.matches(message) {
      hasMatchingMessage = true
    }
  }
}
