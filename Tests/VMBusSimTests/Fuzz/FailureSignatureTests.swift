import Testing
import VMBusWire

@testable import VMBusHost
@testable import VMBusSim

/// Typed failure signatures: their text form, the root causes the bundled reproducers give,
/// and how old-form signatures still compare.
@Suite("Failure signatures")
struct FailureSignatureTests {
  static let regressions = BundledScenarioTests.directory + "/regressions"

  static func scenario(_ path: String) throws -> Scenario {
    let text = try #require(BundledScenarioTests.read(path))
    return try ScenarioParser.parse(text, file: path)
  }

  static let samples: [FailureSignature] = [
    FailureSignature(
      property: .hostFault, rootCause: RootCause("send_unload.no_sint_route"),
      tracePoint: .trace(.postMsg), busState: .unload),
    FailureSignature(
      property: .guestHang, rootCause: FailureSignature.unattributedHang,
      tracePoint: .trace(.msgCb), busState: .listen, awaiting: .gpadlCreated),
    FailureSignature(
      property: .invariant, rootCause: RootCause("invariant.queue_bounded"),
      tracePoint: .simulator("sim_machine_reset"), busState: .createGpadl),
    FailureSignature(
      property: .foldMismatch, rootCause: RootCause("fold.final_state"), tracePoint: .start,
      busState: .listen),
  ]

  @Test("the text form parses back to the same signature", arguments: samples)
  func textRoundTrip(signature: FailureSignature) {
    #expect(FailureSignature(text: signature.description) == signature)
    #expect(RecordedSignature(text: signature.description) == .typed(signature))
  }

  /// `expect.message` is matched as a substring; a fragment in a reworded phrase's former
  /// words matches the message in today's, and nothing else changes.
  @Test("an expected message in a reworded phrase's former words still matches")
  func rewordedExpectedMessage() {
    let outcome = Outcome(
      .guestHang, atSeq: 9,
      message: "boot waits for the host to rescind every sub-channel it offered before "
        + "hibernating (vmbus_bus_suspend); QEMU never rescinds a channel")
    let former = ExpectedOutcome(
      .guestHang, messageContains: "(vmbus_bus_suspend); QEMU rescinds only when a device goes away"
    )
    #expect(outcome.satisfies(former))
    #expect(outcome.satisfies(ExpectedOutcome(.guestHang, messageContains: "never rescinds")))
    #expect(!outcome.satisfies(ExpectedOutcome(.guestHang, messageContains: "rescinds every")))
    #expect(!outcome.satisfies(ExpectedOutcome(.passed, messageContains: "never rescinds")))
    #expect(OutcomeWording.current(of: "nothing reworded here") == nil)
  }

  @Test("an old-form string is no typed signature; it is kept as written")
  func oldForm() {
    for text in [
      "host_fault body_for_full_gpadl @ vmbus_gpadl_body in listen",
      "guest_hang GPADL_TORNDOWN in listen",
    ] {
      #expect(FailureSignature(text: text) == nil)
      #expect(RecordedSignature(text: text) == .legacy(text))
    }
  }

  /// Each bundled reproducer's root cause, by the §9 entry it pins.
  static let reproducers: [(file: String, rootCause: String)] = [
    // §9.24: handle_gpadl_body, assert on a full GPADL.
    ("qemu-gpadl-body.yaml", "gpadl_body.num_gfns_left_assert"),
    // §9.42: send_unload's post_msg with no SINT route.
    ("qemu-unload.yaml", "send_unload.no_sint_route"),
    // §9.12: send_handshake's post_msg after INITIATE_CONTACT with target_vcpu 0xFFFFFFFF.
    ("qemu-versions.yaml", "send_handshake.no_sint_route"),
    (
      "regressions/qemu-host_fault-vmbus_init.unknown_vcpu.yaml",
      "vmbus_init.unknown_vcpu"
    ),
    (
      "regressions/qemu-host_fault-open_channel.unknown_vcpu.yaml",
      "open_channel.unknown_vcpu"
    ),
    (
      "regressions/qemu-host_fault-ringbufs_init.send_offset_wrap.yaml",
      "ringbufs_init.send_offset_wrap"
    ),
    (
      "regressions/qemu-host_fault-msg_cb.msg_in_progress_assert.yaml",
      "msg_cb.msg_in_progress_assert"
    ),
    (
      "regressions/qemu-host_fault-synic_reset.route_held_by_message.yaml",
      "synic_reset.route_held_by_message"
    ),
    // QEMU 7.1's synic_reset ran before the devices': a guest that connects and reboots
    // aborts it, the bug "hyperv: fix SynIC SINT assertion failure on guest reset" fixed.
    ("regressions/qemu-host_fault-synic_reset.before_devices.yaml", "synic_reset.before_devices"),
  ]

  @Test("each reproducer fails with the root cause of its QEMU check", arguments: reproducers)
  func reproducerRootCause(file: String, rootCause: String) throws {
    let scenario = try Self.scenario(BundledScenarioTests.directory + "/" + file)
    let run = Simulation.reproduce(scenario, seed: 0, transcript: false)
    let failure = try #require(PropertyChecker.check(run))
    #expect(failure.signature.rootCause == RootCause(rootCause))
  }

  @Test("every committed regression file reproduces the signature it records")
  func legacyRecordsCompare() throws {
    let files = BundledScenarioTests.files(in: Self.regressions)
    #expect(!files.isEmpty)
    for file in files {
      let scenario = try Self.scenario(Self.regressions + "/" + file)
      let record = try #require(scenario.regression)
      let run = Simulation.reproduce(scenario, seed: 0, transcript: false)
      let actual = PropertyChecker.firstBrokenProperty(run)?.signature
      #expect(record.signature.differences(from: actual) == [], "\(file)")
    }
  }

  /// §9.53 was recorded as `invariant.refcounts_balanced` before it had QEMU's name: such a
  /// record still stands for the signature, is kept as written, and the former name keeps its
  /// meaning where the rename does not apply.
  @Test("a record under a root cause's former name compares as the current signature")
  func renamedRootCause() throws {
    let text = "invariant invariant.refcounts_balanced @ sim_migrated in listen"
    let recorded = RecordedSignature(text: text)
    let current = try #require(
      FailureSignature(
        text: "invariant vmbus_post_load.gpadl_refcount_reset @ sim_migrated in listen"))
    guard case .renamed(_, let renamedTo) = recorded else {
      Issue.record("\(recorded) is not read as renamed")
      return
    }
    #expect(renamedTo == current)
    #expect(recorded.description == text)
    #expect(recorded.differences(from: current) == [])
    var elsewhere = current
    elsewhere.busState = .unload
    #expect(recorded.differences(from: elsewhere).count == 1)
    let atAnotherPoint = "invariant invariant.refcounts_balanced @ vmbus_open_channel in listen"
    guard case .typed = RecordedSignature(text: atAnotherPoint) else {
      Issue.record("the former name is renamed only at the load")
      return
    }
  }

  @Test("an old-form record that disagrees on a part it holds is a difference")
  func legacyMismatch() {
    let recorded = RecordedSignature.legacy(
      "host_fault post_without_route(VERSION_RESPONSE) @ vmbus_post_msg in handshake")
    let unload = FailureSignature(
      property: .hostFault, rootCause: RootCause("send_unload.no_sint_route"),
      tracePoint: .trace(.postMsg), busState: .handshake)
    #expect(recorded.differences(from: unload).count == 1)
    let handshake = FailureSignature(
      property: .hostFault, rootCause: RootCause("send_handshake.no_sint_route"),
      tracePoint: .trace(.postMsg), busState: .handshake)
    #expect(recorded.differences(from: handshake) == [])
    #expect(recorded.differences(from: nil).count == 1)
  }

  @Test("a guest error is no failure; a hang's cause comes from its outcome when set")
  func outcomes() throws {
    var run = Simulation.run(try FuzzTests.bundled("qemu-gpadl-teardown.yaml"), seed: 0)
    #expect(run.outcome.kind == .guestError)
    #expect(PropertyChecker.check(run) == nil)
    // The same run, as if the oracle had called the hang the host's.
    run.outcome.kind = .guestHang
    run.outcome.owedReply = .gpadlTorndown
    run.outcome.rootCause = RootCause("gpadl_teardown.unknown_id")
    let attributed = try #require(PropertyChecker.check(run))
    #expect(attributed.signature.rootCause == RootCause("gpadl_teardown.unknown_id"))
    #expect(attributed.signature.awaiting == nil)
    run.outcome.kind = .guestError
    #expect(PropertyChecker.check(run) == nil)
  }

  /// QEMU resets a device only through vmbus_dev_reset (bus reset, last close) and has no
  /// hot-plug handler: a run on `device_reset` is no QEMU failure.
  @Test("a run resting on device_reset is no QEMU failure; its raw signature is still known")
  func beyondQEMU() throws {
    let scenario = try FuzzTests.bundled("beyond-qemu-device-reset.yaml")
    let run = Simulation.reproduce(scenario, seed: 0, transcript: false)
    #expect(run.inputsBeyondQEMU == [.deviceReset])
    #expect(PropertyChecker.check(run) == nil)
    let raw = try #require(PropertyChecker.firstBrokenProperty(run))
    // The reset lands while OPENCHANNEL_RESULT waits out a busy slot: the re-post finds no
    // channel.
    #expect(raw.signature.rootCause == RootCause("send_open_channel.no_object"))
  }

  @Test("the mutator never generates device_reset or device_added, whatever the profile")
  func mutatorStaysWithinQEMU() throws {
    for profile in HostProfile.allCases {
      var base = try FuzzTests.bundled("linux-boot.yaml")
      base.host.profile = profile
      for seed in 0..<2_000 as Range<UInt64> {
        var mutator = ScenarioMutator(seed: seed, scenario: base)
        let mutated = mutator.mutate(base)
        let beyond = mutated.actors.flatMap(\.steps).contains {
          switch $0.action {
          case .environment(.deviceReset), .environment(.deviceAdded): true
          default: false
          }
        }
        #expect(!beyond, "\(profile) seed \(seed)")
      }
    }
  }

  /// HvSignalEvent is an input QEMU receives from any guest; a campaign that never sent one
  /// could not reach `vmbus_signal_event` nor the refusals of other connection ids.
  @Test("the mutator signals event connections, and mutated runs reach vmbus_signal_event")
  func mutatorSignalsEvents() throws {
    let base = try FuzzTests.bundled("linux-boot.yaml")
    var connections: Set<UInt32> = []
    var traced = 0
    for seed in 0..<2_000 as Range<UInt64> {
      var mutator = ScenarioMutator(seed: seed, scenario: base)
      let mutated = mutator.mutate(base)
      let signals = mutated.actors.flatMap(\.steps).compactMap {
        if case .environment(.signalEvent(let id)) = $0.action { id } else { nil }
      }
      guard !signals.isEmpty else { continue }
      connections.formUnion(signals)
      let run = Simulation.run(mutated, seed: seed, transcript: false)
      if run.events.contains(.trace(.signalEvent)) { traced += 1 }
    }
    #expect(connections == [2, 3, 17, 0x0100_0002])
    #expect(traced > 0)
  }

  @Test("one and two workers find the same signatures, counts, lowest seeds and minimal cases")
  func jobsAgree() throws {
    var reports: [FuzzCampaign.Report] = []
    for jobs in [1, 2] {
      let configuration = FuzzCampaign.Configuration(
        scenarios: [try FuzzTests.bundled("linux-boot.yaml")], seedCount: 400, jobs: jobs,
        shrinkBudget: 300)
      reports.append(FuzzCampaign(configuration).run())
    }
    func findings(_ report: FuzzCampaign.Report) -> [String] {
      report.failures.map {
        "\($0.failure.signature) \($0.count) \($0.firstSeed) \($0.minimal.stepCount) "
          + "\($0.minimal.choices) \($0.minimalRun.events.count)"
      }
    }
    #expect(!reports[0].failures.isEmpty)
    #expect(findings(reports[0]) == findings(reports[1]))
    #expect(reports[0].guestErrors == reports[1].guestErrors)
    // Every guest error counted under one rule, with the same lowest seeds.
    #expect(!reports[0].guestErrorRules.isEmpty)
    #expect(
      reports[0].guestErrorRules.values.reduce(0) { $0 + $1.count } == reports[0].guestErrors)
    #expect(reports[0].guestErrorRules == reports[1].guestErrorRules)
  }

  @Test("a guest error's rule is recorded as `guest_error RULE` and read back as one")
  func guestErrorRecord() {
    let rule = RootCause("guest.slot_cleared_without_eom")
    let recorded = RecordedSignature.guestError(rule)
    #expect(recorded.description == "guest_error guest.slot_cleared_without_eom")
    #expect(RecordedSignature(text: recorded.description) == recorded)
    // It holds when the re-run breaks nothing, and not when it fails.
    #expect(recorded.differences(from: nil).isEmpty)
    let failure = FailureSignature(
      property: .guestHang, rootCause: RootCause("gpadl_header.range_shape"),
      tracePoint: .trace(.gpadlHeader), busState: .listen)
    #expect(
      recorded.differences(from: failure) == [
        "signature: recorded guest_error guest.slot_cleared_without_eom, re-run breaks \(failure)"
      ])
  }

  @Test("a guest error's lowest seed shrinks to a smaller case that breaks the same rule")
  func guestErrorShrinks() throws {
    let campaign = FuzzCampaign(
      FuzzCampaign.Configuration(
        scenarios: [try FuzzTests.bundled("linux-open-close.yaml")], seedCount: 200,
        shrinkBudget: 500))
    let report = campaign.run()
    let (rule, tally) = try #require(
      report.guestErrorRules.min { $0.value.lowestSeed < $1.value.lowestSeed })
    let original = campaign.fuzzCase(seed: tally.lowestSeed)
    #expect(original.run().outcome.rootCause == rule)
    let found = try #require(campaign.guestErrorCase(rule, tally))
    #expect(found.minimalRun.outcome.kind == .guestError)
    #expect(found.minimalRun.outcome.rootCause == rule)
    #expect(PropertyChecker.check(found.minimalRun) == nil)
    #expect(found.minimal.stepCount < original.stepCount)
  }

  /// A hang is noticed wherever the run ends; its signature names where QEMU dropped the
  /// request, so one QEMU check is one signature (`handle_gpadl_header`'s checks at
  /// `vmbus_gpadl_header`, `vmbus_msg_cb`'s fatal reset at `vmbus_msg_cb`, ...).
  @Test("every committed hang names the trace point where QEMU dropped the request")
  func hangsNameTheirDropPoint() throws {
    var hangs = 0
    for file in BundledScenarioTests.files(in: Self.regressions) {
      let scenario = try Self.scenario(Self.regressions + "/" + file)
      let run = Simulation.reproduce(scenario, seed: 0, transcript: false)
      guard let signature = PropertyChecker.check(run)?.signature,
        signature.property == .guestHang
      else { continue }
      hangs += 1
      let point = try #require(signature.rootCause.dropPoint, "\(file)")
      #expect(signature.tracePoint == point, "\(file)")
    }
    #expect(hangs >= 5)
    #expect(RootCause.gpadlHeaderRangeShape.dropPoint == .trace(.gpadlHeader))
    #expect(RootCause.msgCbFatalWithoutResched.dropPoint == .trace(.msgCb))
    #expect(FailureSignature.unattributedHang.dropPoint == nil)
  }

  @Test("an illegal transition's root cause names the object that moved, from its typed kind")
  func transitionCauseNamesTheObject() {
    var before = HostState()
    var gpadl = Gpadl(id: GpadlID(7), childRelid: nil, numGfns: 1, seenGfns: 1)
    gpadl.state = .alive
    gpadl.refcount = 1
    before.gpadls = [gpadl]
    var after = before
    after.gpadls[0].state = .initial
    let broken = HostState.transitionViolations(from: before, to: after)
    #expect(broken.map(\.object) == [.gpadl])
    #expect(broken.map(PropertyChecker.transitionCause) == [RootCause("transition.gpadl")])
  }
}
