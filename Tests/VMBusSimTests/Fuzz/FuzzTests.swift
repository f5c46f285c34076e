import Testing
import VMBusHost
import VMBusTesting
import VMBusWire

@testable import VMBusSim

/// The fuzzer's parts: mutation, properties, shrinking, regression files, exploration.
@Suite("Fuzzing")
struct FuzzTests {
  static func bundled(_ name: String) throws -> Scenario {
    let path = BundledScenarioTests.directory + "/" + name
    let text = try #require(BundledScenarioTests.read(path))
    return try ScenarioParser.parse(text, file: "scenarios/" + name)
  }

  @Test("a seed always mutates a scenario the same way, and the result round-trips as YAML")
  func mutationIsDeterministicAndWritable() throws {
    let base = try Self.bundled("linux-boot.yaml")
    for seed in 0..<200 as Range<UInt64> {
      var first = ScenarioMutator(seed: seed, scenario: base)
      var second = ScenarioMutator(seed: seed, scenario: base)
      let mutated = first.mutate(base)
      #expect(mutated == second.mutate(base))
      let text = ScenarioWriter.yaml(mutated)
      let reread = try ScenarioParser.parse(text, file: "mutated-\(seed).yaml")
      #expect(
        reread.withoutSourceLocations == mutated.withoutSourceLocations, "seed \(seed):\n\(text)")
    }
  }

  @Test(
    "every bundled scenario round-trips through the writer", arguments: BundledScenarioTests.files)
  func writerRoundTrip(file: String) throws {
    let scenario = try Self.bundled(file)
    let reread = try ScenarioParser.parse(ScenarioWriter.yaml(scenario), file: file)
    #expect(reread.withoutSourceLocations == scenario.withoutSourceLocations)
  }

  @Test(
    "a clean run and a guest error break no property; a QEMU crash and a QEMU hang do (§9.45)")
  func properties() throws {
    let clean = Simulation.run(try Self.bundled("linux-boot.yaml"), seed: 0)
    #expect(PropertyChecker.check(clean) == nil)
    let crash = Simulation.run(try Self.bundled("qemu-gpadl-body.yaml"), seed: 0)
    let fault = try #require(PropertyChecker.check(crash))
    #expect(fault.property == .hostFault)
    #expect(
      fault.signature.description
        == "host_fault gpadl_body.num_gfns_left_assert @ vmbus_gpadl_body in listen")
    let hang = Simulation.run(try Self.bundled("qemu-delivery-failures.yaml"), seed: 0)
    let owed = try #require(PropertyChecker.check(hang))
    #expect(owed.property == .guestHang)
    #expect(owed.signature.rootCause.rawValue.hasPrefix("msg_cb."), "\(owed.signature)")
    // §9.26: openvmm sends nothing for a teardown of an unknown GPADL either.
    let guestError = Simulation.run(try Self.bundled("qemu-gpadl-teardown.yaml"), seed: 0)
    #expect(guestError.outcome.kind == .guestError)
    #expect(PropertyChecker.check(guestError) == nil)
  }

  @Test("a campaign over the Linux boot finds QEMU's crashes and hangs, deterministically")
  func campaignFindsQEMUFailures() throws {
    let configuration = FuzzCampaign.Configuration(
      scenarios: [try Self.bundled("linux-boot.yaml")], seedCount: 300, shrinkBudget: 300)
    let first = FuzzCampaign(configuration).run()
    let second = FuzzCampaign(configuration).run()
    #expect(first.runs == 300)
    let properties = Set(first.failures.map(\.failure.property))
    #expect(properties.contains(.hostFault) && properties.contains(.guestHang))
    #expect(first.failures.map(\.failure.signature) == second.failures.map(\.failure.signature))
    #expect(first.failures.map(\.count) == second.failures.map(\.count))
    for group in first.failures {
      // The shrunk case is no bigger and fails the same way when replayed.
      let original = FuzzCampaign(configuration).fuzzCase(seed: group.firstSeed)
      #expect(group.minimal.stepCount <= original.stepCount)
      #expect(PropertyChecker.check(group.minimal.run())?.signature == group.failure.signature)
    }
  }

  @Test("a pinned minimal case replays its events through its regression record")
  func regressionReplays() throws {
    let configuration = FuzzCampaign.Configuration(
      scenarios: [try Self.bundled("linux-boot.yaml")], seedCount: 100, shrinkBudget: 200)
    let group = try #require(FuzzCampaign(configuration).run().failures.first)
    let run = group.minimalRun
    let pinned = group.minimal.pinned(
      run, failure: group.minimalFailure, events: run.events.map { "\($0)" })
    let reread = try ScenarioParser.parse(ScenarioWriter.yaml(pinned), file: "r.yaml")
    let again = Simulation.reproduce(reread, seed: 12345)
    #expect(again.events == run.events)
    #expect(again.outcome.satisfies(reread.expected))
  }

  @Test("the exhaustive mode visits every schedule of a small scenario and replays what it finds")
  func exhaustive() throws {
    let report = Explorer(scenario: try Self.bundled("qemu-gpadl-header-hang.yaml"), depth: 30)
      .run()
    #expect(report.distinctStates > 10)
    #expect(report.states >= report.distinctStates)
    let found = try #require(report.failures.first)
    #expect(found.failure.property == .guestHang)
    #expect(PropertyChecker.check(found.fuzzCase.run())?.property == .guestHang)
  }

  @Test("the exhaustive mode hands over each distinct failure while it still explores")
  func exhaustiveReportsAsItFinds() throws {
    struct Stop: Error {}
    let explorer = Explorer(scenario: try Self.bundled("qemu-gpadl-header-hang.yaml"), depth: 30)
    let whole = explorer.run()
    var told: [FailureSignature] = []
    _ = explorer.run { failure, _ in told.append(failure.signature) }
    #expect(told == whole.failures.map(\.failure.signature))
    // A caller that stops at the first (a store that failed) ends the exploration there.
    #expect(throws: Stop.self) { _ = try explorer.run { (_, _) throws(Stop) in throw Stop() } }
  }

  @Test("the exhaustive mode says where it stands at once, then as it goes, never ahead")
  func exhaustiveProgress() throws {
    var seen: [Explorer.Progress] = []
    let report = Explorer(scenario: try Self.bundled("concurrent-opens.yaml"), depth: 40).run(
      progress: { seen.append($0) }, onFailure: { (_, _) throws(Never) in })
    let first = try #require(seen.first)
    #expect(first.states == 0 && first.distinctStates == 0 && first.failures == 0)
    for (earlier, later) in zip(seen, seen.dropFirst()) {
      #expect(earlier.states <= later.states && earlier.elapsed <= later.elapsed)
    }
    #expect((seen.last?.states ?? .max) <= report.states)
    #expect((seen.last?.distinctStates ?? .max) <= report.distinctStates)
  }

  /// A search cut short by its state limit must say so: "no failure" then covers the states
  /// it reached, not every schedule up to the depth.
  @Test("the exhaustive mode says when it stopped at its state limit, and only then")
  func exhaustiveStateLimit() throws {
    let scenario = try Self.bundled("concurrent-opens.yaml")
    let cut = Explorer(scenario: scenario, depth: 20, stateLimit: 1_000).run()
    #expect(cut.stoppedAtStateLimit)
    #expect(cut.states >= 1_000 && cut.states < 1_100, "\(cut.states)")
    let whole = Explorer(scenario: scenario, depth: 20).run()
    #expect(!whole.stoppedAtStateLimit)
    #expect(whole.states > cut.states)
    // A limit the search never needed is no cut.
    let roomy = Explorer(scenario: scenario, depth: 20, stateLimit: whole.states).run()
    #expect(!roomy.stoppedAtStateLimit)
    #expect(roomy.states == whole.states)
  }

  /// The key leaves absolute time out, which is sound only while no path reaches the
  /// scenario's `max_time`: a search where one does must say so.
  @Test("the exhaustive mode says when a path ran past the scenario's max_time, and only then")
  func exhaustiveTimeLimit() throws {
    let limited = try ScenarioParser.parse(
      ScenarioSamples.timerRace + "limits: {max_steps: 100000, max_time: 1ms}\n",
      file: "timer-race.yaml")
    #expect(Explorer(scenario: limited, depth: 30).run().reachedTimeLimit)
    let unlimited = try ScenarioParser.parse(ScenarioSamples.timerRace, file: "timer-race.yaml")
    #expect(!Explorer(scenario: unlimited, depth: 30).run().reachedTimeLimit)
    #expect(
      !Explorer(scenario: try Self.bundled("linux-kdump.yaml"), depth: 40).run().reachedTimeLimit)
  }

  @Test("the exhaustive mode reports no failure where the guest broke the protocol (§9.26)")
  func exhaustiveGuestError() throws {
    let report = Explorer(scenario: try Self.bundled("qemu-gpadl-teardown.yaml"), depth: 30).run()
    #expect(report.distinctStates > 10)
    #expect(report.failures.isEmpty, "\(report.failures.map(\.failure.signature))")
  }

  /// Each explored path is kept in one array shared by the whole search; a path that lost
  /// its prefix or kept a sibling's choices would replay to another state, and a failure
  /// seen in the explored state would not recur.
  @Test(
    "every failure an exploration sees recurs when its path is replayed",
    arguments: [
      "beyond-qemu-device-reset.yaml", "qemu-delivery-failures.yaml", "qemu-gpadl-body.yaml",
    ])
  func exploredFailuresReplay(file: String) throws {
    let report = Explorer(scenario: try Self.bundled(file), depth: 40).run()
    #expect(report.states > 100)
    #expect(report.unreproduced == 0)
  }

  /// Two actors sleep as long, so whichever starts first wakes first. The explorer must try
  /// both starts (a sleep commutes with the other actor's steps only up to its deadline),
  /// and must not merge the two states where both sleep: they differ in who wakes first.
  @Test("the exhaustive mode tries every order of equal sleeps, and tells those orders apart")
  func exhaustiveSleepOrders() throws {
    let yaml = """
      description: "UNLOAD before any INITIATE_CONTACT crashes QEMU; only the second actor's sleep can make it first"
      expect: passed
      host:
        devices:
          - class: hv-balloon
      actors:
        - name: connector
          steps:
            - sleep: 1ms
            - send: {type: INITIATE_CONTACT, version_requested: "4.0"}
            - wait: {for: VERSION_RESPONSE, timeout: 100s}
        - name: unloader
          steps:
            - sleep: 1ms
            - send: {type: UNLOAD}
            - wait: {for: UNLOAD_RESPONSE, timeout: 100s}
      """
    let causes = try Self.exploredRootCauses(yaml, depth: 30)
    #expect(causes.contains(RootCause("send_unload.no_sint_route")), "\(causes)")
  }

  /// Which of two sleepers' messages comes first depends on which started sleeping first,
  /// a step apart (`ScenarioSamples.timerRace`): a key holding only the order of the timers
  /// merged the two paths, and the exploration reported no failure where half of all seeds
  /// crash QEMU.
  @Test("the exhaustive mode tells states apart by how far off their timers are")
  func exhaustiveTimerDistances() throws {
    let causes = try Self.exploredRootCauses(ScenarioSamples.timerRace, depth: 30)
    #expect(causes.contains(RootCause("send_unload.no_sint_route")), "\(causes)")
  }

  /// Both actors are waiting when ALLOFFERS_DELIVERED comes; what each runs after its wait
  /// (a probe that opens the channel, an open on vCPU 5, which this machine lacks) races for
  /// the channel. Taking a waiting actor's step alone, lowest index first, as if it touched
  /// nothing else, always let the probe win, and the crash was never reached.
  @Test("the exhaustive mode branches on a waiting actor's step: what follows the wait races")
  func exhaustiveWaitsRace() throws {
    let yaml = """
      description: "two drivers wait for the offers, then race for one channel"
      expect: passed
      host:
        devices:
          - class: hv-balloon
      actors:
        - name: prober
          steps:
            - wait: {for: ALLOFFERS_DELIVERED}
            - linux.probe: {device: hv-balloon}
        - name: opener
          steps:
            - wait: {for: ALLOFFERS_DELIVERED}
            - linux.open: {device: hv-balloon, ring_pages: 8, target_vp: 5}
        - name: trigger
          steps:
            - linux.connect: {versions: ["4.0"]}
            - sleep: 1ms
            - linux.request_offers
      """
    let causes = try Self.exploredRootCauses(yaml, depth: 40)
    #expect(causes.contains(RootCause("open_channel.unknown_vcpu")), "\(causes)")
  }

  /// A message page that may be gone at any delivery (`faults.message_page_missing`) is an
  /// input the guest controls. The exploration once switched fault probabilities off, so it
  /// never reached the bus reset a -6 delivery causes, nor the requests it strands.
  @Test("the exhaustive mode branches on each fault a delivery attempt can draw")
  func exhaustiveFaultDraws() throws {
    let report = Explorer(scenario: try Self.bundled("qemu-message-page-faults.yaml"), depth: 40)
      .run()
    #expect(report.unreproduced == 0)
    let causes = report.failures.map(\.failure.signature.rootCause)
    #expect(causes.contains(RootCause("msg_cb.fatal_without_resched")), "\(causes)")
  }

  /// The draws the explorer records for each fault outcome must read back, through the
  /// ordinary scheduler's `chance`, as that outcome: else its paths would replay elsewhere.
  @Test(
    "each outcome of a fault draw replays as that outcome",
    arguments: [0.0, 1e-7, 0.000_001, 0.1, 0.5, 0.999_999, 1.0])
  func chanceOutcomesReplay(probability: Double) {
    let outcomes = ChoiceSource.chanceOutcomes(probability)
    #expect(ChoiceSource.drawsChance(probability) == (probability > 0 && probability < 1))
    #expect(outcomes.last?.outcome == false)
    #expect(outcomes.contains { $0.outcome } == (probability >= 0.000_001))
    for (outcome, draw) in outcomes {
      var replay = ChoiceSource(replaying: [draw], seed: 1, zeroAfterReplay: true)
      #expect(replay.chance(probability) == (probability >= 1 ? true : outcome))
    }
  }

  /// The root causes an exploration of a scenario written in a test reports, each of which
  /// must recur when its path is replayed.
  static func exploredRootCauses(_ yaml: String, depth: Int) throws -> [RootCause] {
    let scenario = try ScenarioParser.parse(yaml, file: "explored.yaml")
    let report = Explorer(scenario: scenario, depth: depth).run()
    #expect(report.unreproduced == 0)
    return report.failures.map(\.failure.signature.rootCause)
  }

  @Test("the distinct counter estimates within a few percent in fixed memory")
  func distinctCounter() {
    var counter = DistinctCounter()
    for value in 0..<50_000 as Range<UInt64> { counter.insert(value &* 0x9E37_79B9_7F4A_7C15) }
    for value in 0..<50_000 as Range<UInt64> { counter.insert(value &* 0x9E37_79B9_7F4A_7C15) }
    #expect(abs(counter.estimate - 50_000) < 2_500)
  }
}
