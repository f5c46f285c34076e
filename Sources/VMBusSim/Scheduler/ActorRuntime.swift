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
    /// Waiting for something in the guest: other actors, or an offer the kernel lacks.
    case blocked(Blocked)
    /// Finished its script.
    case done

    /// When its timer fires: the end of a sleep, or of a wait or a block that has one.
    var deadline: VirtualDuration? {
      switch self {
      case .sleeping(let until): until
      case .waiting(let waiting): waiting.deadline
      case .blocked(let blocked): blocked.deadline
      case .ready, .done: nil
      }
    }
  }

  /// What a blocked actor waits for, and until when (nil: for ever).
  struct Blocked: Sendable {
    var reason: BlockReason
    var deadline: VirtualDuration?
  }

  enum BlockReason: Hashable, Sendable {
    /// The probes of every offered device (`wait_for_device_probe`).
    case probes
    /// The host's offer of a channel (the driver core probes once it is offered).
    case offer(DeviceChannel)
    /// Offers of every primary the hibernation image had open.
    case resumeOffers
    /// Rescinds of every sub-channel offered (QEMU sends none: a guest blocked here waits
    /// for ever).
    case subchannelRescinds
    /// A device's lock, which another probe or remove of it holds.
    case deviceLock(String)
    /// `system_transition_mutex`, which another suspend, hibernation, kexec or restart holds.
    case systemTransition
    /// Other tasks the freezer cannot freeze yet: inside a step.
    case tasksToFreeze
    /// Frozen between two steps until the thaw.
    case frozen

    /// Whether it waits for an offer the host owes.
    var awaitsOffer: Bool {
      switch self {
      case .offer, .resumeOffers: true
      case .probes, .subchannelRescinds, .deviceLock, .systemTransition, .tasksToFreeze, .frozen:
        false
      }
    }

    /// What the actor waits for, for a hang's message.
    var waitDescription: String {
      switch self {
      case .probes: "waits for the device probes to finish"
      case .offer(let channel): "waits for the offer of \(channel)"
      case .resumeOffers: "waits for the offers of the channels it had before hibernation"
      case .deviceLock(let device):
        "waits for \(device)'s device lock, which another probe or remove holds"
      case .systemTransition:
        "waits for system_transition_mutex, which another suspend, hibernation or restart holds"
      case .tasksToFreeze:
        "waits to freeze the tasks, which cannot freeze inside a step (a VMBus call, a device lock)"
      case .frozen: "is frozen until the suspend or hibernation thaws the processes"
      case .subchannelRescinds:
        "waits for the host to rescind every sub-channel it offered before hibernating (vmbus_bus_suspend); QEMU never rescinds a channel"
      }
    }

    /// Whether the guest really waits here: a missing offer only means a device never
    /// probed, which nothing waits for.
    var isWait: Bool {
      switch self {
      case .offer: false
      case .probes, .resumeOffers, .subchannelRescinds, .deviceLock, .systemTransition,
        .tasksToFreeze, .frozen:
        true
      }
    }
  }

  /// A request Linux linked before posting it, and its reply once one matched.
  struct LinkedWait: Sendable {
    var condition: ReplyCondition
    var reply: ChannelMessage?
    /// When it was linked, run-wide: the earliest linked request takes a reply first, as
    /// the handlers walk `chn_msg_list`.
    var order: UInt32
  }

  struct Waiting: Sendable {
    var condition: ReplyCondition
    var expect: ReplyCondition
    var deadline: VirtualDuration?
    var onTimeout: TimeoutAction
    var expectTimeout: Bool
  }

  let name: String
  /// Shared by reference: a run and its copies (the explorer copies a run per branch) never
  /// change it.
  private let compiled: Immutable<GuestProgram>
  var program: GuestProgram { compiled.value }
  var pc = 0
  var status = Status.ready
  /// 1-based attempt of the current post (Linux retries some statuses).
  var attempt = 1
  /// Host messages delivered since the actor started and not yet consumed by a wait.
  private(set) var inbox: [InboxMessage] = []
  /// The last VERSION_RESPONSE this actor consumed refused its version.
  var lastVersionRefused = false
  /// Requests this actor posted successfully and the oracle's verdict on each, so a hang
  /// can tell a reply the host owes from one the script never asked for, or the guest
  /// made impossible.
  var requests = PostedRequests()
  /// Requests the host's delivery path made void (a fatal delivery failure, a machine
  /// reset), with the path: a hang on them is nobody's failure, but it has a cause.
  var withdrawn = SparseMap<RequestKey, Finding>()
  /// A waiting actor's inbox holds a message its wait matches, or its linked request has
  /// its reply (kept current on arrival, so the scheduler need not scan every step).
  var hasMatchingMessage = false
  /// A blocked actor's condition holds (kept current by the simulation).
  var unblocked = false
  /// The request linked before its post (Linux's steps), nil when none.
  var linked: LinkedWait?
  /// The status of the last GPADL_CREATED or OPENCHANNEL_RESULT taken (0: success).
  var lastReplyStatus: UInt32?
  /// A driver probe: it starts over with each new kernel (the `probe: auto` actors).
  let restartsWithKernel: Bool
  /// Its script has plain waits, which read the inbox; Linux's steps read linked replies
  /// only, so an actor without plain waits keeps no inbox.
  let usesInbox: Bool

  init(name: String, program: GuestProgram, restartsWithKernel: Bool = false) {
    self.name = name
    compiled = Immutable(program)
    self.restartsWithKernel = restartsWithKernel
    usesInbox = program.ops.contains { if case .waitFor = $0 { true } else { false } }
  }

  /// Whether the scheduler may run this actor now: ready, waiting with its message already
  /// there, or blocked on something that happened. (Matching the status without binding
  /// copies nothing.)
  var canStep: Bool {
    switch status {
    case .ready: true
    case .waiting: hasMatchingMessage
    case .blocked: unblocked
    case .sleeping, .done: false
    }
  }

  /// A new kernel runs: the old one's linked requests and delivered messages are gone.
  mutating func forgetKernelState() {
    inbox.removeAll()
    linked = nil
    hasMatchingMessage = false
  }

  /// Back to the start of its script, for a new kernel.
  mutating func restart() {
    pc = 0
    status = .ready
    attempt = 1
    inbox.removeAll()
    linked = nil
    lastReplyStatus = nil
    lastVersionRefused = false
    hasMatchingMessage = false
    unblocked = false
  }

  var isDone: Bool {
    if case .done = status { true } else { false }
  }

  /// The op at the program counter, or nil at the end.
  var currentOp: GuestOp? { pc < program.ops.count ? program.ops[pc] : nil }

  /// Past the last op (``currentOp`` is nil), without copying an op.
  var finishedProgram: Bool { pc >= program.ops.count }

  /// Whether the current op waits for the scheduler (a post, a wait, a sleep, an
  /// environment step). Matching without binding copies nothing.
  var currentOpWaits: Bool {
    guard pc < program.ops.count else { return false }
    // Every case named: a new op must say whether it waits.
    return switch program.ops[pc] {
    case .post, .waitFor, .sleep, .environment: true
    case .jump, .jumpIfRefused, .jumpIfConnectedBelow, .recordConnected, .fail, .linux: false
    }
  }

  /// The script location of the current op, for messages.
  var currentLocation: SourceLocation? { pc < program.origins.count ? program.origins[pc] : nil }

  /// Nothing this actor asked for is owed any more (the guest reset the conversation or made
  /// the replies undeliverable).
  mutating func forgetRequests() {
    requests.removeAll()
  }

  /// Nothing this actor asked for is owed any more, because of the host path `cause`.
  mutating func forgetRequests(because cause: Finding) {
    for request in requests.entries where request.isWhole { withdrawn[request.key] = cause }
    forgetRequests()
  }

  /// Takes the inbox message at `index`.
  mutating func take(at index: Int) -> ChannelMessage {
    inbox.remove(at: index).message
  }

  /// Delivers a host message to this actor's inbox.
  mutating func receive(_ message: ChannelMessage) {
    guard usesInbox else { return }
    var key = WordHasher()
    message.addExplorationKey(into: &key)
    inbox.append(InboxMessage(message: message, explorationKey: key.value))
    if case .waiting(let waiting) = status, waiting.condition.matches(message) {
      hasMatchingMessage = true
    }
  }
}

/// A host message in an actor's inbox, with its exploration key computed once on arrival
/// (hashing a state is the explorer's inner loop).
struct InboxMessage: Sendable {
  var message: ChannelMessage
  var explorationKey: UInt64
}

/// A posted request that the host answers: its type and the id the reply echoes.
struct RequestKey: Hashable, Sendable {
  var type: MessageType
  var key: UInt32?

  /// The request `payload` is, when it is one the host must answer.
  init?(payload: [UInt8]) {
    guard payload.count >= 8, let word = payload.littleEndianWord(at: 0) else { return nil }
    let type = MessageType(word)
    switch type {
    case .initiateContact, .requestOffers, .unload: key = nil
    case .gpadlHeader, .gpadlTeardown, .gpadlBody: key = payload.littleEndianWord(at: 12)
    case .openChannel: key = payload.littleEndianWord(at: 8)
    default: return nil
    }
    self.type = type
  }

  init(type: MessageType, key: UInt32?) {
    self.type = type
    self.key = key
  }

  /// The request a host message answers.
  static func answered(by reply: ChannelMessage) -> RequestKey? {
    switch reply {
    case .versionResponse: RequestKey(type: .initiateContact, key: nil)
    case .allOffersDelivered: RequestKey(type: .requestOffers, key: nil)
    case .unloadResponse: RequestKey(type: .unload, key: nil)
    case .gpadlCreated(let m): RequestKey(type: .gpadlHeader, key: m.gpadlID.rawValue)
    case .gpadlTorndown(let m): RequestKey(type: .gpadlTeardown, key: m.gpadlID.rawValue)
    case .openChannelResult(let m): RequestKey(type: .openChannel, key: m.childRelid.rawValue)
    default: nil
    }
  }

  /// The request a wait's reply answers, when the wait names enough to tell.
  static func answered(by condition: ReplyCondition) -> RequestKey? {
    func field(_ name: ReplyField) -> UInt32? {
      condition.fields.first { $0.field == name }.map { UInt32(truncatingIfNeeded: $0.value) }
    }
    switch condition.type {
    case .versionResponse: return RequestKey(type: .initiateContact, key: nil)
    case .allOffersDelivered, .offerChannel: return RequestKey(type: .requestOffers, key: nil)
    case .unloadResponse: return RequestKey(type: .unload, key: nil)
    case .gpadlCreated: return field(.gpadlID).map { RequestKey(type: .gpadlHeader, key: $0) }
    case .gpadlTorndown: return field(.gpadlID).map { RequestKey(type: .gpadlTeardown, key: $0) }
    case .openChannelResult:
      return field(.childRelid).map { RequestKey(type: .openChannel, key: $0) }
    default: return nil
    }
  }
}

/// A value kept behind one reference, so copying its holder costs one retain.
final class Immutable<Value: Sendable>: Sendable {
  let value: Value

  init(_ value: Value) { self.value = value }
}
