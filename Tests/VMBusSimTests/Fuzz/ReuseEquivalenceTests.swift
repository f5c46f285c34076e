import Testing
import VMBusHost
import VMBusTesting
import VMBusWire

@testable import VMBusSim

/// What the fuzzer and the explorer reuse between runs (compiled steps, message bytes,
/// cached keys) changes nothing they compute.
@Suite("Reuse equivalence")
struct ReuseEquivalenceTests {
  static let seedsPerScenario: UInt64 = 150

  @Test(
    "cached compilation gives the same programs, and cached runs the same runs",
    arguments: BundledScenarioTests.files)
  func cachedRunsMatch(file: String) throws {
    let base = try FuzzTests.bundled(file)
    let campaign = FuzzCampaign(FuzzCampaign.Configuration(scenarios: [base]))
    var steps = CompiledStepCache()
    let messages = MessageCache()
    for seed in 0..<Self.seedsPerScenario {
      let fuzzCase = campaign.fuzzCase(seed: seed)
      let plain = PreparedScenario(fuzzCase.scenario)
      let cached = PreparedScenario(fuzzCase.scenario, reusing: &steps)
      #expect(cached.programs == plain.programs, "\(file) seed \(seed)")
      let expected = fuzzCase.run()
      let run = fuzzCase.run(reusing: &steps, messages: messages)
      #expect(run.events == expected.events, "\(file) seed \(seed)")
      #expect(run.eventTimes == expected.eventTimes, "\(file) seed \(seed)")
      #expect(run.choices == expected.choices, "\(file) seed \(seed)")
      #expect(run.outcome == expected.outcome, "\(file) seed \(seed)")
      #expect(run.finalState == expected.finalState, "\(file) seed \(seed)")
      #expect(PropertyChecker.check(run) == PropertyChecker.check(expected), "\(file) seed \(seed)")
    }
  }

  @Test(
    "the live fold's checks find what a refold and a check of everything at every event find",
    arguments: BundledScenarioTests.files)
  func liveChecksMatchRefold(file: String) throws {
    let base = try FuzzTests.bundled(file)
    var findings = 0
    // Fewer Linux-mode seeds: a debug build's Linux runs are slow, and the checks are the
    // same code either way.
    for (guestInputs, seeds) in [(GuestInputs.any, Self.seedsPerScenario), (.linux, 40)] {
      let campaign = FuzzCampaign(
        FuzzCampaign.Configuration(scenarios: [base], guestInputs: guestInputs))
      for seed in 0..<seeds {
        let run = campaign.fuzzCase(seed: seed).run()
        let live = try #require(run.monitor, "\(file) seed \(seed): a fuzz run is monitored")
        let refolded = HostState.monitoredFold(run.events)
        #expect(live == refolded.monitor, "\(file) seed \(seed) \(guestInputs)")
        // The monitor skips checks that cannot find anything new; the reference does not.
        let reference = Self.firstBreach(run.events)
        #expect(
          live.first.map { Breach(seq: $0.seq, breach: $0.breach) } == reference,
          "\(file) seed \(seed) \(guestInputs)")
        if reference != nil { findings += 1 }
        #expect(refolded.state == run.finalState, "\(file) seed \(seed) \(guestInputs)")
        #expect(
          PropertyChecker.check(run, refold: false) == PropertyChecker.check(run),
          "\(file) seed \(seed) \(guestInputs)")
      }
    }
    // Every bundled scenario's mutations break something now and then; a file whose runs
    // all passed would not test the skips.
    #expect(findings > 0, "\(file): no run broke anything")
  }

  struct Breach: Equatable {
    var seq: Int
    var breach: FoldMonitor.Breach
  }

  /// The first thing that broke, checking every event for everything: protocol violations,
  /// a host fault, every invariant, every transition against the whole old state.
  static func firstBreach(_ events: [HostEvent]) -> Breach? {
    var state = HostState()
    for (index, event) in events.enumerated() {
      let before = state
      let violations = state.apply(event)
      let breach: FoldMonitor.Breach? =
        if let violation = violations.first {
          .violation(violation)
        } else if case .simulator(.hostFault(let fault)) = event {
          .hostFault(fault)
        } else if let broken = state.firstInvariantViolation {
          .invariant(broken)
        } else if let broken = HostState.transitionViolations(from: before, to: state).first {
          .transition(broken)
        } else {
          nil
        }
      if let breach { return Breach(seq: index + 1, breach: breach) }
    }
    return nil
  }

  @Test("a live check that disagrees with the refold is a fold mismatch of its own")
  func liveCheckDisagreeingIsReported() throws {
    let base = try FuzzTests.bundled("qemu-open.yaml")
    var run = FuzzCase(scenario: base, seed: 0).run()
    #expect(PropertyChecker.check(run) == nil)
    // A live fold that saw one event more than the log holds.
    var monitor = FoldMonitor()
    var state = HostState()
    for event in run.events + [.simulator(.hostFault(.callbackWithoutMessage))] {
      monitor.apply(event, to: &state)
    }
    run.monitor = monitor
    let failure = try #require(PropertyChecker.check(run))
    #expect(failure.signature.property == .foldMismatch)
    #expect(failure.signature.rootCause == RootCause("fold.live_check"))
    // Without the refold, the live finding is the verdict.
    #expect(PropertyChecker.check(run, refold: false)?.signature.property == .hostFault)
  }

  @Test("a composite step compiled at one place and moved equals one compiled there")
  func relocatedStepsMatch() throws {
    let base = try FuzzTests.bundled("linux-hibernate.yaml")
    let steps = try #require(base.actors.first).steps
    let context = CompileContext(base)
    var cache = CompiledStepCache()
    // Compile the script from its second step on, then the whole script: the steps after
    // the first now begin at other ops than the cache first saw them at.
    let tail = GuestProgram(compiling: Array(steps.dropFirst()), context: context, reusing: &cache)
    #expect(tail == GuestProgram(compiling: Array(steps.dropFirst()), context: context))
    #expect(
      GuestProgram(compiling: steps, context: context, reusing: &cache)
        == GuestProgram(compiling: steps, context: context))
  }

  @Test("the visited set counts and reports new keys as a Set does")
  func visitedSetMatchesSet() {
    var visited = VisitedSet()
    var reference = Set<Int>()
    var generator = SplitMix64(seed: 7)
    for step in 0..<50_000 {
      // Repeats, zero and negative keys included.
      let raw = generator.next()
      let key = step % 7 == 0 ? 0 : Int(truncatingIfNeeded: step % 3 == 0 ? raw % 5_000 : raw)
      #expect(visited.insert(key, depth: 3) == reference.insert(key).inserted)
    }
    #expect(visited.count == reference.count)
  }

  @Test("a state reached again higher up is expanded again, deeper down it is not")
  func visitedSetKeepsTheShallowestDepth() {
    var visited = VisitedSet()
    for key in [0, 42] {
      // Whether each arrival, at these depths in turn, is to be expanded.
      let expanded = [50, 50, 55, 10, 20].map { visited.insert(key, depth: $0) }
      #expect(expanded == [true, false, false, true, false], "key \(key)")
    }
    #expect(visited.count == 2)
  }

  @Test("the exploration key tells apart every state of the SynIC slot and its delivery")
  func explorationKeyCoversTheSlot() throws {
    var base = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("qemu-open.yaml")), seed: 0)
    base.begin()
    let message = ChannelMessage.versionResponse(
      VersionResponse(versionSupported: 1, connectionState: 0, messageConnectionID: 0))
    let variants: [(String, (inout SynICSlot) -> Void)] = [
      ("as begun", { _ in }),
      ("posted", { $0.delivery = .posted(message) }),
      ("posted, unbuilt", { $0.delivery = .posted(nil) }),
      ("waiting for EOM", { $0.delivery = .waitingForEOM }),
      ("EOM seen", { $0.delivery = .eomSeen }),
      ("foreign message", { $0.slot = .foreign }),
      ("host message", { $0.slot = .host(message) }),
      ("no message page", { $0.messagePageEnabled = false }),
      ("rebooting", { $0.guestRebooting = true }),
      ("forced busy", { $0.forcedBusy = 1 }),
      (
        "emptied without EOM",
        {
          $0.delivery = .waitingForEOM
          $0.emptiedWithoutEOM = true
        }
      ),
    ]
    var seen: [Int: String] = [:]
    for (name, change) in variants {
      var simulation = base
      change(&simulation.synic)
      let key = simulation.explorationKey()
      #expect(seen[key] == nil, "\(name) has the key of \(seen[key] ?? "")")
      seen[key] = name
    }
  }

  @Test("a slot the guest emptied without EOM is its error only while that delivery waits")
  func emptiedWithoutEOMEndsWithTheWait() {
    var slot = SynICSlot()
    slot.delivery = .waitingForEOM
    slot.emptiedWithoutEOM = true
    slot.delivery = .waitingForEOM
    #expect(slot.emptiedWithoutEOM)
    for next in [SynICSlot.Delivery.eomSeen, .idle, .posted(nil)] {
      var ended = slot
      ended.delivery = next
      #expect(!ended.emptiedWithoutEOM, "\(next)")
    }
  }

  /// A network and a storage device, as a kernel's scenario lists them.
  static let twoDevices = [KnownDeviceClass.netvsc, .storvsc].enumerated().map { index, device in
    DeviceSpec(
      name: device.rawValue,
      config: DeviceConfig(
        name: device.rawValue, classID: device.classID,
        instanceID: GUID(high: 0, low: UInt64(index + 1))))
  }

  @Test("the guest kernel's cached key follows its offers, GPADLs and channel states")
  func kernelKeyTracksChanges() {
    var first = GuestKernel(devices: Self.twoDevices)
    var second = GuestKernel(devices: Self.twoDevices)
    let storvsc = GpadlPurpose(DeviceChannel("storvsc"), .ring)
    let netvsc = GpadlPurpose(DeviceChannel("netvsc"), .ring)
    first.allocateGpadl(for: storvsc, pages: 64)
    first.allocateGpadl(for: netvsc, pages: 256)
    second.allocateGpadl(for: storvsc, pages: 64)
    second.allocateGpadl(for: netvsc, pages: 256)
    #expect(first.explorationKey() == second.explorationKey())
    #expect(first.ringGpadl(for: DeviceChannel("storvsc")) == 0xE1E10)
    #expect(first.ringGpadl(for: DeviceChannel("netvsc")) == 0xE1E11)
    second.setCreated(true, for: netvsc)
    #expect(first.explorationKey() != second.explorationKey())
    first.setCreated(true, for: netvsc)
    #expect(first.explorationKey() == second.explorationKey())
    first.setState(.opened, of: DeviceChannel("netvsc"))
    #expect(first.explorationKey() != second.explorationKey())
    // A new GPADL for the same purpose takes the next id; the old one is forgotten.
    second.allocateGpadl(for: netvsc, pages: 256)
    #expect(second.ringGpadl(for: DeviceChannel("netvsc")) == 0xE1E12)
  }

  /// A hibernation image on disk decides what a later restore brings back: the kernel's key
  /// holds it, its version and GPADL counter included (the simulation hashes the live
  /// kernel's own beside the kernel's key), through a machine reset until it is restored.
  @Test("the guest kernel's key holds its hibernation image, through a machine reset")
  func kernelKeyHoldsTheImage() {
    var plain = GuestKernel(devices: Self.twoDevices)
    var imaged = plain
    imaged.saveImage()
    #expect(plain.explorationKey() != imaged.explorationKey())
    // Two images that differ only in the version they were connected at.
    var at40 = GuestKernel(devices: Self.twoDevices)
    at40.connectedVersion = .win10
    at40.saveImage()
    var at30 = GuestKernel(devices: Self.twoDevices)
    at30.connectedVersion = .win8_1
    at30.saveImage()
    var rebootedAt40 = at40.afterMachineReset(devices: Self.twoDevices, vcpus: 1)
    var rebootedAt30 = at30.afterMachineReset(devices: Self.twoDevices, vcpus: 1)
    #expect(rebootedAt40.connectedVersion == nil && rebootedAt30.connectedVersion == nil)
    #expect(rebootedAt40.explorationKey() != rebootedAt30.explorationKey())
    // The restore brings the image's version back as the one to resume with, and uses it up.
    rebootedAt40.restart(.restoreImage)
    rebootedAt30.restart(.restoreImage)
    #expect(rebootedAt40.savedVersion == .win10 && rebootedAt30.savedVersion == .win8_1)
    var restoredAgain = rebootedAt40
    restoredAgain.restart(.restoreImage)
    #expect(restoredAgain.savedVersion == nil)
  }

  @Test("the guest kernel's key does not depend on the order its channels and locks changed in")
  func kernelKeyIgnoresOrder() {
    let netvsc = DeviceChannel("netvsc")
    let storvsc = DeviceChannel("storvsc")
    var first = GuestKernel(devices: Self.twoDevices)
    var second = GuestKernel(devices: Self.twoDevices)
    first.setState(.opening, of: netvsc)
    first.setState(.opened, of: storvsc)
    #expect(first.lock(device: "netvsc") && first.lock(device: "storvsc"))
    second.setState(.opened, of: storvsc)
    second.setState(.opening, of: netvsc)
    #expect(second.lock(device: "storvsc") && second.lock(device: "netvsc"))
    #expect(first.explorationKey() == second.explorationKey())
    // The same channels in swapped states are another state.
    second.setState(.opening, of: storvsc)
    second.setState(.opened, of: netvsc)
    #expect(first.explorationKey() != second.explorationKey())
    second.setState(.opened, of: storvsc)
    second.setState(.opening, of: netvsc)
    second.unlock(device: "netvsc")
    #expect(first.explorationKey() != second.explorationKey())
  }

  @Test(
    "the host part of a state's key, kept between steps, is always the key of the state as it is",
    arguments: ["linux-boot.yaml", "qemu-migration.yaml", "concurrent-opens.yaml"])
  func hostKeyFollowsTheState(file: String) throws {
    var simulation = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled(file)), seed: 0)
    simulation.begin()
    var random = SplitMix64(seed: 7)
    var kept = 0
    var eventBuffer: [HostEvent] = []
    for _ in 0..<400 {
      let branches = simulation.branches(eventBuffer: &eventBuffer)
      guard !branches.isEmpty else { break }
      simulation.explore(
        branches[Int(random.next() % UInt64(branches.count))], eventBuffer: &eventBuffer)
      if simulation.hostExplorationKey.value != nil { kept += 1 }
      _ = simulation.explorationKey()
      #expect(simulation.hostExplorationKey.value == simulation.decision.state.explorationKey)
    }
    // Some steps are the guest's alone and keep the host's key.
    #expect(kept > 0)
  }

  /// A host fault's root cause and trace point read the fold monitor's last main-loop trace
  /// point and whether a migration came after it; states that differ there must not share
  /// a key, or the exploration names a failure after whichever path came first.
  @Test("states that share an exploration key agree on what a fault's signature reads")
  func keyCoversTheMonitorsPoint() throws {
    let scenario = try FuzzTests.bundled("concurrent-opens.yaml")
    var root = Simulation<StateRecorder>(PreparedScenario(scenario), seed: 0)
    root.begin()
    var eventBuffer: [HostEvent] = []
    var seen: [Int: String] = [:]
    var frontier = [root]
    for _ in 0..<40 {
      var next: [Simulation<StateRecorder>] = []
      for var state in frontier {
        for action in state.branches(eventBuffer: &eventBuffer) {
          var child = state
          child.explore(action, eventBuffer: &eventBuffer)
          let key = child.explorationKey()
          let monitor = child.decision.monitor
          let read = "\(String(describing: monitor.lastMainPoint)) \(monitor.migratedSincePoint)"
          if let known = seen[key] {
            #expect(known == read, "one key, two monitors: \(known) and \(read)")
          } else {
            seen[key] = read
            next.append(child)
          }
        }
      }
      frontier = next
    }
    #expect(seen.count > 1_000)
  }

  /// No QEMU failure rests on an input QEMU never receives (`device_reset`, `device_added`):
  /// a state reached through one must not stand for the same state reached without, or the
  /// exploration replays a failure from there through the first path, finds it rests on
  /// that input, and never reports it for the path that needs none.
  @Test("the exploration key tells apart a run that took an input QEMU never receives")
  func keyCoversInputsBeyondQEMU() throws {
    var pure = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("qemu-unload.yaml")), seed: 0)
    pure.begin()
    var beyond = pure
    beyond.tookInputBeyondQEMU = true
    #expect(pure.explorationKey() != beyond.explorationKey())
  }

  /// The flag the key holds is the run's record of its inputs, kept without the inputs:
  /// set exactly when the run took a `device_reset` or `device_added` that QEMU never
  /// receives (a reset of a device the kernel does not know takes none).
  @Test(
    "a run marks that it took an input QEMU never receives exactly when it took one",
    arguments: ["beyond-qemu-device-reset.yaml", "qemu-unload.yaml"])
  func runMarksInputsBeyondQEMU(file: String) throws {
    let prepared = PreparedScenario(try FuzzTests.bundled(file))
    var marked = Set<Bool>()
    for seed in UInt64(0)..<20 {
      var simulation = Simulation<HistoryRecorder>(prepared, seed: seed)
      let run = simulation.run()
      #expect(simulation.tookInputBeyondQEMU == !run.inputsBeyondQEMU.isEmpty, "seed \(seed)")
      marked.insert(simulation.tookInputBeyondQEMU)
    }
    #expect(marked == [file.hasPrefix("beyond-qemu")])
  }

  /// The actors of `concurrent-opens.yaml` as a run starts them.
  static func startingActors() throws -> ActorTable {
    Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("concurrent-opens.yaml")), seed: 0
    ).actors
  }

  /// The actors' part of an exploration key.
  static func key(_ table: ActorTable) -> UInt64 {
    key(table, at: VirtualDuration(nanoseconds: 0))
  }

  /// The actors' part of an exploration key at time `now`, their timers' distances with it.
  static func key(_ table: ActorTable, at now: VirtualDuration) -> UInt64 {
    var hasher = WordHasher()
    table.addExplorationKey(into: &hasher)
    table.addTimerDistances(into: &hasher, now: now)
    return hasher.value
  }

  @Test("a copied run's actors change alone, and each actor's kept key follows its changes")
  func actorTableCopiesOnWrite() throws {
    let key: (ActorTable) -> UInt64 = Self.key
    let original = try Self.startingActors()
    let before = key(original)
    var copy = original
    copy[0].attempt += 1
    #expect(original[0].attempt == 1)
    #expect(copy[0].attempt == 2)
    #expect(key(original) == before)
    #expect(key(copy) != before)
    // The copy's actor is its own now: changed in place, its kept key dropped.
    copy[0].attempt -= 1
    #expect(key(copy) == before)
  }

  /// A hang on a request is the host's failure only if the actor posted it, so two states
  /// that differ only there have different futures for the verdicts.
  @Test("the exploration key tells apart actors that differ only in what they are owed")
  func actorKeyCoversOwedRequests() throws {
    let base = try Self.startingActors()
    var posted = base
    let open = posted[0].requests.post(RequestKey(type: .openChannel, key: 7))
    var otherPosted = base
    _ = otherPosted[0].requests.post(RequestKey(type: .openChannel, key: 8))
    var pagesDue = base
    _ = pagesDue[0].requests.post(RequestKey(type: .gpadlHeader, key: 0xE1E10), missingPages: 3)
    var fewerPagesDue = base
    _ = fewerPagesDue[0].requests.post(
      RequestKey(type: .gpadlHeader, key: 0xE1E10), missingPages: 2)
    // Taken by QEMU, and judged: handled, dropped by a named check, or the guest's error.
    var handled = posted
    handled[0].requests.judge(entry: open, .owed(dropped: nil))
    var dropped = posted
    dropped[0].requests.judge(
      entry: open, .owed(dropped: Finding(.openChannelNotInitialized, "dropped")))
    var refused = posted
    refused[0].requests.judge(entry: open, .guestError(Finding(.openUnknownChannel, "error")))
    // The same two requests, judged in the other order: another state.
    var twice = posted
    let again = twice[0].requests.post(RequestKey(type: .openChannel, key: 7))
    var firstRefused = twice
    firstRefused[0].requests.judge(entry: open, .guestError(Finding(.openUnknownChannel, "error")))
    var secondRefused = twice
    secondRefused[0].requests.judge(entry: open, .owed(dropped: nil))
    secondRefused[0].requests.judge(
      entry: again, .guestError(Finding(.openUnknownChannel, "error")))
    let keys = [
      base, posted, otherPosted, pagesDue, fewerPagesDue, handled, dropped, refused, twice,
      firstRefused, secondRefused,
    ].map { Self.key($0) }
    #expect(Set(keys).count == keys.count)
  }

  /// What happens next depends on when each actor's timer fires, against timers set later,
  /// and on which linked request a reply completes first: the key holds how far off each
  /// timer is (not when: the same distances at another time are the same state) and the
  /// order of the links (not their numbers).
  @Test("the exploration key holds how far off the actors' timers are and the links' order")
  func actorKeyCoversTimersAndLinks() throws {
    let base = try Self.startingActors()
    try #require(base.count >= 2)
    func with(
      _ first: ActorRuntime.Status, _ second: ActorRuntime.Status,
      links: (UInt32, UInt32)? = nil, now: UInt64 = 0
    ) -> UInt64 {
      var table = base
      table[0].status = first
      table[1].status = second
      if let links {
        let condition = ReplyCondition(type: .openChannelResult, fields: [(.childRelid, 1)])
        table[0].linked = ActorRuntime.LinkedWait(condition: condition, reply: nil, order: links.0)
        table[1].linked = ActorRuntime.LinkedWait(condition: condition, reply: nil, order: links.1)
      }
      return Self.key(table, at: VirtualDuration(nanoseconds: now))
    }
    let at: (UInt64) -> ActorRuntime.Status = { .sleeping(until: VirtualDuration(nanoseconds: $0)) }
    let firstWakesFirst = with(at(1_000), at(2_000))
    #expect(firstWakesFirst != with(at(2_000), at(1_000)))
    #expect(firstWakesFirst != with(at(1_000), at(1_000)))
    // The same order a microsecond apart: a 1 ms timer set when the first fires ends before
    // the second, or with it.
    #expect(firstWakesFirst != with(at(1_000), at(2_001)))
    #expect(firstWakesFirst == with(at(1_500), at(2_500), now: 500))
    // A timer already due fires at the next idle moment, however late.
    #expect(with(at(100), at(2_000), now: 300) == with(at(200), at(2_000), now: 300))
    let firstLinkedFirst = with(.ready, .ready, links: (3, 4))
    #expect(firstLinkedFirst != with(.ready, .ready, links: (4, 3)))
    #expect(firstLinkedFirst == with(.ready, .ready, links: (10, 20)))
  }

  /// The explorer leaves a state unexpanded when one that differs from it only in its
  /// timers' distances had a subtree that never went idle: the key without timers must tell
  /// apart everything else, and nothing else.
  @Test("the key without timers leaves out how far off the timers are, and nothing else")
  func untimedKeyLeavesOutTheDistances() throws {
    let base = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("concurrent-opens.yaml")), seed: 0)
    try #require(base.actors.count >= 2)
    func keys(_ first: ActorRuntime.Status, _ second: ActorRuntime.Status) -> (
      full: Int, untimed: Int
    ) {
      var simulation = base
      simulation.actors[0].status = first
      simulation.actors[1].status = second
      return simulation.explorationKeys()
    }
    let at: (UInt64) -> ActorRuntime.Status = { .sleeping(until: VirtualDuration(nanoseconds: $0)) }
    let sooner = keys(at(1_000), at(2_000))
    let later = keys(at(1_000), at(2_001))
    #expect(sooner.full != later.full)
    #expect(sooner.untimed == later.untimed)
    #expect(keys(at(1_000), at(2_000)) == sooner)
    // Which actors have a timer is no distance.
    #expect(keys(.ready, at(2_000)).untimed != sooner.untimed)
    #expect(keys(at(1_000), .done).untimed != sooner.untimed)
  }

  /// Which of its actor's requests a queued message judges decides the verdicts to come: the
  /// key holds it, by the request's position, not by the id (a count of posts, which two
  /// paths to one state need not share).
  @Test("the key tells apart a queued message whose request the actor forgot, not its id")
  func keyCoversWhichRequestAQueuedMessageJudges() throws {
    let base = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("concurrent-opens.yaml")), seed: 0)
    let request = RequestKey(type: .openChannel, key: 1)
    func queuedOpen(postedBefore: Int) -> Simulation<StateRecorder> {
      var simulation = base
      for _ in 0..<postedBefore { _ = simulation.actors[0].requests.post(request) }
      simulation.actors[0].forgetRequests()
      let id = simulation.actors[0].requests.post(request)
      simulation.queued = [QueuedRequest(actor: 0, payload: [5, 0, 0, 0, 0, 0, 0, 0], entry: id)]
      return simulation
    }
    var judging = queuedOpen(postedBefore: 0)
    var renumbered = queuedOpen(postedBefore: 3)
    var forgotten = judging
    forgotten.actors[0].forgetRequests()
    _ = forgotten.actors[0].requests.post(request)
    #expect(judging.actors[0].requests.entries.map(\.key) == [request])
    #expect(forgotten.actors[0].requests.entries.map(\.key) == [request])
    #expect(judging.explorationKey() == renumbered.explorationKey())
    #expect(judging.explorationKey() != forgotten.explorationKey())
  }

  /// A hot-added device's configuration is not in the host's key (a scenario fixes its own
  /// devices'), so the order devices were added in must be in the run's.
  @Test("the exploration key tells apart runs that added the same devices in another order")
  func keyCoversAddedDeviceOrder() throws {
    let base = Simulation<StateRecorder>(
      PreparedScenario(try FuzzTests.bundled("concurrent-opens.yaml")), seed: 0)
    let kvp = DeviceSpec(
      name: "k1",
      config: DeviceConfig(
        name: "k1", classID: KnownDeviceClass.kvp.classID,
        instanceID: GUID("00000000-0000-4000-8000-0000000000a1") ?? .zero))
    var heartbeat = kvp
    heartbeat.name = "h1"
    heartbeat.config.openHookFails = true
    func key(_ devices: [DeviceSpec]) -> Int {
      var simulation = base
      simulation.addedDevices = devices
      return simulation.explorationKey()
    }
    let keys = [key([]), key([kvp]), key([kvp, heartbeat]), key([heartbeat, kvp])]
    #expect(Set(keys).count == keys.count)
  }

  /// A wait's condition is resolved when the wait begins, and whether a message in the inbox
  /// matches it decides whether the actor can step: both are the actor's state.
  @Test("the exploration key holds a wait's resolved condition and whether a message matches")
  func actorKeyCoversWaits() throws {
    let base = try Self.startingActors()
    func waiting(gpadl: UInt64, matched: Bool = false) -> UInt64 {
      var table = base
      let condition = ReplyCondition(type: .gpadlTorndown, fields: [(.gpadlID, gpadl)])
      table[0].status = .waiting(
        ActorRuntime.Waiting(
          condition: condition, expect: ReplyCondition(type: .gpadlTorndown, fields: []),
          deadline: nil, onTimeout: .proceed, expectTimeout: false))
      table[0].hasMatchingMessage = matched
      return Self.key(table)
    }
    let keys = [waiting(gpadl: 1), waiting(gpadl: 2), waiting(gpadl: 1, matched: true)]
    #expect(Set(keys).count == keys.count)
    #expect(waiting(gpadl: 1) == waiting(gpadl: 1))
  }
}
