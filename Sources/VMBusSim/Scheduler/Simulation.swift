import VMBusHost
import VMBusWire

/// Runs a scenario against the host model under a seeded, deterministic scheduler.
///
/// At every step the scheduler lists the enabled actions in a fixed order (each actor's next
/// op, the host's bus run, a pending delivery, the guest's EOM, a busy slot's retry callback)
/// and picks one with the run's `ChoiceSource`. Virtual time advances 1 µs a step and jumps
/// to the next timer when nothing else can happen. Same scenario, seed and build: the same
/// event log, byte for byte.
///
/// One scheduler core for every mode: what a run keeps beside its state (transcript,
/// history, nothing) is its `Recorder` (see ``RunRecorder``).
package struct Simulation<Recorder: RunRecorder>: Sendable {
  /// Virtual time one scheduler step takes.
  static var stepCost: VirtualDuration { .microseconds(1) }

  /// Shared by reference with every copy of the run (see `Immutable`).
  private let shared: Immutable<Scenario>
  var scenario: Scenario { shared.value }
  let seed: UInt64
  /// The host state and the event log, decided in place input by input. (Read the state
  /// through it: a computed copy would copy the whole state on each call into VMBusHost.)
  private(set) var decision = Decision(state: HostState(), monitored: Recorder.monitorsFold)
  var events: [HostEvent] { decision.events }
  /// Inputs, event times and the transcript, as far as this mode keeps them.
  var recorder = Recorder()
  var choices: ChoiceSource
  var now = VirtualDuration(nanoseconds: 0)
  var kernel: GuestKernel
  var synic = SynICSlot()
  /// The main loop's scheduled bottom halves.
  var mainLoop = MainLoop()
  var actors: ActorTable
  /// Devices added during the run (they survive a machine reset).
  var addedDevices: [DeviceSpec] = []
  var outcome: Outcome?
  /// The run has its outcome. (Matched, not compared with nil: the comparison copied the
  /// optional outcome through its generic value witnesses, about a million times in a
  /// 2,000-seed campaign.)
  var isFinished: Bool {
    if case .none = outcome { false } else { true }
  }
  /// What a correct host would hold, for judging each request QEMU takes.
  var oracle = ReplyOracle()
  /// Requests linked so far, run-wide: the order Linux's handlers find them in.
  var nextLinkOrder: UInt32 = 0
  /// The guest messages in QEMU's rx queue, in order, with who posted them.
  var queued: [QueuedRequest] = []
  /// What last reset the bus from outside its run, leaving its rx queue with no run
  /// scheduled: why a request stuck in the queue is never taken. Kept from the inputs, since
  /// the explorer keeps no events.
  var lastOutsideReset: OutsideReset?
  /// The run took an input QEMU never receives (``BeyondQEMUInput``). No QEMU failure rests
  /// on what follows, so the explorer keeps a state reached through one apart from the same
  /// state reached without.
  var tookInputBeyondQEMU = false
  var steps = 0
  /// What the guest asked for and had answered, to find a reply posted twice.
  var replies: [ReplyLedgerEntry] = []
  /// The enabled actions of the current step (kept to reuse its storage).
  var enabled: [Action] = []
  /// Guest message bytes shared with other runs: the prepared scenario's, or a fuzz
  /// worker's or the explorer's; nil builds every message.
  var messageCache: MessageCache?
  /// The split of the GPADL the guest posts now, so that its next part needs no lookup in
  /// the shared cache (hashing dominated a Linux boot's 157 GPADL messages). Not run state:
  /// ignored by `==`.
  var postingSplit = Uncompared<GpadlSplit?>(nil)
  /// The host state's exploration key, from when the explorer last asked until the next
  /// input: about two explored steps in five are the guest's alone and leave the host
  /// state as it was. Not run state: ignored by `==`.
  var hostExplorationKey = Uncompared<UInt64?>(nil)

  /// A run drawing every choice from `seed`.
  package init(_ prepared: PreparedScenario, seed: UInt64) {
    self.init(prepared, seed: seed, choices: ChoiceSource(seed: seed))
  }

  /// A run replaying recorded `choices`; past them it draws from `seed`, or takes 0 when
  /// `zeroAfterReplay` (shrunk cases and regression files).
  package init(
    _ prepared: PreparedScenario, seed: UInt64, replaying choices: [UInt32],
    zeroAfterReplay: Bool = false
  ) {
    self.init(
      prepared, seed: seed,
      choices: ChoiceSource(replaying: choices, seed: seed, zeroAfterReplay: zeroAfterReplay))
  }

  private init(_ prepared: PreparedScenario, seed: UInt64, choices: ChoiceSource) {
    shared = Immutable(prepared.scenario)
    self.seed = seed
    self.choices = choices
    kernel = prepared.kernel
    messageCache = prepared.messages
    actors = ActorTable(
      prepared.actors.lazy.map {
        ActorRuntime(
          name: $0.name, program: $0.program, restartsWithKernel: $0.restartsWithKernel)
      })
  }

  /// The log room a recording run starts with: an unmutated Linux boot decides about 780
  /// events, and growing the log (and its times) by doubling copied each of them some ten
  /// times over in every fuzz run.
  static var expectedEvents: Int { 1_024 }

  /// Runs to an outcome.
  package mutating func run() -> SimulationRun {
    if Recorder.keepsEvents {
      decision.reserveCapacity(events: Self.expectedEvents)
      recorder.reserveCapacity(events: Self.expectedEvents)
    }
    start()
    while !isFinished { step() }
    let outcome = outcome ?? Outcome(.passed, atSeq: nil, message: "")
    let history = recorder.history
    return SimulationRun(
      scenario: scenario, seed: seed, events: events, eventTimes: history.eventTimes,
      inputs: history.inputs, choices: choices.recorded, transcript: history.transcript,
      outcome: outcome,
      finalState: decision.state,
      monitor: decision.monitor.isEnabled ? decision.monitor : nil,
      steps: steps, endTime: now)
  }

  /// The machine: profile and vCPUs, then each device realized in order.
  private mutating func start() {
    let spec = scenario.host
    let begin = events.count
    input(.startMachine(profile: spec.profile, machine: spec.machine))
    for device in spec.devices { input(.realizeDevice(device.config)) }
    note(
      .environment, actor: nil, "machine: \(spec.vcpus) vCPUs, \(spec.devices.count) devices",
      from: begin)
  }

  /// One scheduler step, or a jump of the clock, or the end of the run.
  private mutating func step() {
    if steps >= scenario.limits.maxSteps {
      return finish(.guestHang, "no outcome after \(steps) scheduler steps (livelock?)")
    }
    if now > scenario.limits.maxTime {
      return finish(.guestHang, "no outcome after \(scenario.limits.maxTime) of virtual time")
    }
    guard let action = pickEnabledAction() else { return idle() }
    take(action)
  }

  /// Performs one enabled action as a scheduler step.
  private mutating func take(_ action: Action) {
    steps += 1
    perform(action)
    now = now + Self.stepCost
    if let fault = decision.state.fault, !isFinished {
      let seq = events.lastIndex { if case .simulator(.hostFault) = $0 { true } else { false } }
      finish(.hostFault, "\(fault)", atSeq: seq.map { $0 + 1 })
    }
  }

  // MARK: Exploration (the exhaustive mode steers the scheduler itself)

  /// Starts the run without stepping it.
  mutating func begin() {
    start()
  }

  /// The actions enabled now, after any timers that had to fire; empty once the run ended.
  /// Firing them decides events into `eventBuffer`, as ``explore(_:eventBuffer:)`` does.
  /// `wentIdle` is set when getting there went idle (fired timers, or ended the run for want
  /// of any): only then do the pending timers' distances make a difference.
  mutating func branches(eventBuffer: inout [HostEvent], wentIdle: inout Bool) -> [Action] {
    decision.exchangeEvents(with: &eventBuffer)
    defer { decision.exchangeEvents(with: &eventBuffer) }
    return enabledAfterTimers(wentIdle: &wentIdle)
  }

  private mutating func enabledAfterTimers(wentIdle: inout Bool) -> [Action] {
    while !isFinished {
      if steps >= scenario.limits.maxSteps || now > scenario.limits.maxTime {
        step()
        continue
      }
      collectEnabledActions()
      if !enabled.isEmpty { return enabled }
      wentIdle = true
      idle()
    }
    return []
  }

  /// Takes one of the actions `branches` returned, with `draws` for what it draws (one of
  /// ``deliveryDrawOutcomes()`` for a delivery attempt), deciding its events into
  /// `eventBuffer` rather than into a log of the run's own: an explorer's states keep no
  /// events, and share one buffer for the events of every step (see `input`).
  mutating func explore(
    _ action: Action, drawing draws: DeliveryDraws = DeliveryDraws(),
    eventBuffer: inout [HostEvent]
  ) {
    if !draws.isEmpty {
      var replay: [UInt32] = []
      draws.append(to: &replay)
      choices = ChoiceSource(replaying: replay, seed: seed, zeroAfterReplay: true)
    }
    decision.exchangeEvents(with: &eventBuffer)
    take(action)
    decision.exchangeEvents(with: &eventBuffer)
  }

  /// A hash of everything that decides what happens next (not the logs), `full`: two paths
  /// that reach equal keys reach the same state. And the same without how far off the
  /// pending timers are, `untimed`: what two states share when they differ only there, so
  /// that they take the same steps for as long as nothing waits for a timer
  /// (``CalmSubtrees``). Mutating only to keep the parts that often outlive a step (the
  /// host state's, the kernel's) for the next state's key.
  mutating func explorationKeys() -> (full: Int, untimed: Int) {
    var hasher = WordHasher()
    let hostKey = hostExplorationKey.value ?? decision.state.explorationKey
    hostExplorationKey.value = hostKey
    hasher.add(hostKey)
    // Small fields share a word, each in its own bits: fewer words to mix, the same key.
    let delivery: UInt64
    switch synic.delivery {
    case .idle: delivery = 0
    case .posted(let message):
      delivery = 1
      message?.addExplorationKey(into: &hasher)
    case .waitingForEOM: delivery = 2
    case .eomSeen: delivery = 3
    }
    let slot: UInt64
    switch synic.slot {
    case .none: slot = 0
    case .foreign: slot = 1
    case .host: slot = 2
    }
    let page: UInt64 =
      (synic.messagePageEnabled ? 1 : 0) | (synic.guestRebooting ? 2 : 0)
      | (synic.emptiedWithoutEOM ? 4 : 0)
    let busy = UInt64(UInt32(clamping: synic.forcedBusy))
    let reset: UInt64 =
      switch lastOutsideReset {
      case .none: 0
      case .machineReset: 1
      case .fatalDelivery: 2
      }
    let beyond: UInt64 = tookInputBeyondQEMU ? 1 : 0
    hasher.add(delivery | page << 2 | slot << 5 | reset << 7 | beyond << 9 | busy << 32)
    mainLoop.addExplorationKey(into: &hasher)
    if case .host(let message) = synic.slot { message.addExplorationKey(into: &hasher) }
    hasher.add(UInt64(kernel.nextGpadl) | UInt64(kernel.connectedVersion?.rawValue ?? .max) << 32)
    hasher.add(kernel.explorationKey())
    actors.addExplorationKey(into: &hasher)
    oracle.addExplorationKey(into: &hasher)
    // Who posted each queued message (the host's queue key holds the messages), and which
    // of the actor's entries it judges, by position (the ids themselves are a count of
    // posts, which two paths to one state need not share).
    for index in queued.indices {
      let actor = queued[index].actor
      let position =
        queued[index].entry.flatMap { actors[actor].requests.position(of: $0) }.map {
          UInt64($0) + 1
        } ?? 0
      hasher.add(UInt64(actor) | position << 32)
    }
    // Which replies a second post would duplicate. The ledger's order is the order of first
    // mention, the same for equal histories.
    for index in replies.indices {
      replies[index].request.addExplorationKey(into: &hasher)
      let entry = replies[index]
      hasher.add(
        UInt64(UInt16(clamping: entry.asked)) | UInt64(UInt16(clamping: entry.delivered)) << 16
          | (entry.migratedSince ? 1 << 32 : 0))
    }
    // Devices added during the run, in the order they came: the host's key leaves device
    // configurations out (a scenario's own devices are fixed), but which configuration sits
    // behind which device and relid follows that order.
    for device in addedDevices {
      hasher.add(utf8: device.name)
      hasher.add(device.config.explorationKey)
    }
    // What a host fault's signature reads of the fold monitor besides the state: the last
    // main-loop trace point (a fault's root cause can depend on it) and whether a migration
    // came after it.
    hasher.add(
      UInt64(decision.monitor.lastMainPoint.map { $0.ordinal + 1 } ?? 0)
        | (decision.monitor.migratedSincePoint ? 1 << 32 : 0))
    // A run that ended has no future: it must not stand for a live state with the same key.
    if let outcome { hasher.add(utf8: outcome.kind.rawValue) }
    let untimed = hasher.value
    actors.addTimerDistances(into: &hasher, now: now)
    return (Int(truncatingIfNeeded: hasher.value), Int(truncatingIfNeeded: untimed))
  }

  /// The run's outcome, once it ended.
  var finished: Outcome? { outcome }

  /// Nothing can happen now: jump to the next timer, or end the run.
  private mutating func idle() {
    if let next = nextTimer() {
      now = max(now, next)
      fireTimers()
      if kernel.processesFrozenBy != nil { refreshBlocked() }
      return
    }
    let waits = actors.contains {
      switch $0.status {
      case .waiting: true
      case .blocked(let blocked): blocked.reason.isWait
      default: false
      }
    }
    guard waits else {
      return finish(.passed, "")
    }
    finishHang()
  }

  mutating func finish(
    _ kind: OutcomeKind, _ message: String, atSeq: Int? = nil, owesReply: MessageType? = nil,
    rootCause: RootCause? = nil
  ) {
    guard !isFinished else { return }
    // A pass happens nowhere in particular; anything else happens at the latest event.
    let seq = kind == .passed ? nil : atSeq ?? (events.isEmpty ? nil : events.count)
    outcome = Outcome(
      kind, atSeq: seq, message: message, owedReply: owesReply, rootCause: rootCause)
  }

  /// Feeds the host one input, recording the input and the events it decided.
  @discardableResult
  mutating func input(_ input: consuming HostInput) -> Range<Int> {
    switch input {
    case .resetMachine: lastOutsideReset = .machineReset
    case .deliver(let status) where status == DeliveryStatus.noMessagePage:
      lastOutsideReset = .fatalDelivery
    default: break
    }
    // Without kept events only this input's are needed, to read its results. Dropped a
    // thousand at a time: emptying the explorer's shared buffer for each input cost more than
    // the allocation it saves.
    if !Recorder.keepsEvents, decision.events.count >= 1_024 { decision.forgetEvents() }
    let start = decision.events.count
    decision.decide(input)
    hostExplorationKey.value = nil
    mainLoop.schedule(runsScheduledByHost: decision.state.pendingRuns)
    let decided = start..<decision.events.count
    // Moved into the log, not copied: most inputs carry a message.
    recorder.record(input, events: decided, at: now)
    return decided
  }

  /// Adds a transcript line covering the events since `begin`.
  mutating func note(
    _ direction: TranscriptEntry.Direction, actor: String?, _ text: @autoclosure () -> String,
    from begin: Int
  ) {
    guard Recorder.keepsTranscript else { return }
    recorder.note(
      TranscriptEntry(
        time: now, actor: actor, direction: direction, text: text(), events: begin..<events.count))
  }
}

/// A bus reset from outside the bus's own run: both keep the rx queue and schedule no run.
enum OutsideReset: Hashable, Sendable {
  /// A machine reset (§9.47).
  case machineReset
  /// `vmbus_msg_cb` with -6: the guest's message page was gone (§9.45).
  case fatalDelivery
}

/// The entry points: a run with its transcript, or (`transcript: false`) with its history
/// alone.
extension Simulation where Recorder == TranscriptRecorder {
  /// Runs `scenario` with `seed` to an outcome.
  package static func run(_ scenario: Scenario, seed: UInt64, transcript: Bool = true)
    -> SimulationRun
  {
    run(PreparedScenario(scenario), seed: seed, transcript: transcript)
  }

  /// Runs a scenario the way its file asks: a regression file replays its recorded choices
  /// (each later decision takes 0); any other scenario draws from `seed`.
  package static func reproduce(_ scenario: Scenario, seed: UInt64, transcript: Bool = true)
    -> SimulationRun
  {
    guard let record = scenario.regression else {
      return run(scenario, seed: seed, transcript: transcript)
    }
    let prepared = PreparedScenario(scenario)
    guard transcript else {
      var simulation = Simulation<HistoryRecorder>(
        prepared, seed: record.seed, replaying: record.choices, zeroAfterReplay: true)
      return simulation.run()
    }
    var simulation = Simulation<TranscriptRecorder>(
      prepared, seed: record.seed, replaying: record.choices, zeroAfterReplay: true)
    return simulation.run()
  }

  /// Runs a prepared scenario (compiled once, run many times) with `seed` to an outcome.
  package static func run(_ prepared: PreparedScenario, seed: UInt64, transcript: Bool = true)
    -> SimulationRun
  {
    guard transcript else {
      var simulation = Simulation<HistoryRecorder>(prepared, seed: seed)
      return simulation.run()
    }
    var simulation = Simulation<TranscriptRecorder>(prepared, seed: seed)
    return simulation.run()
  }
}

/// A Linux GPADL's messages, encoded.
struct GpadlSplit: Sendable {
  var gpadl: MessageCache.LinuxGpadl
  var messages: [[UInt8]]
}
