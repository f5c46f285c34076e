import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// QEMU's main loop as the scheduler runs it: one-shot bottom halves in `aio_bh_poll` slices.
@Suite("QEMU's main loop")
struct MainLoopTests {
  @Test("a slice runs what was scheduled before it, newest first (util/async.c aio_bh_poll)")
  func sliceIsLastInFirstOut() {
    var loop = MainLoop()
    loop.schedule(runsScheduledByHost: 1)
    loop.schedule(.deliveryCompletion(DeliveryStatus.noMessagePage))
    loop.schedule(.deliveryCompletion(DeliveryStatus.delivered))
    let slice = Array(loop.takeSlice())
    #expect(
      slice == [
        .deliveryCompletion(DeliveryStatus.delivered),
        .deliveryCompletion(DeliveryStatus.noMessagePage), .busRun,
      ])
    #expect(loop.isEmpty)
    // What the slice schedules waits for the next one.
    loop.schedule(.deliveryCompletion(DeliveryStatus.slotBusy))
    #expect(Array(loop.takeSlice()) == [.deliveryCompletion(DeliveryStatus.slotBusy)])
  }

  @Test("each run the host counts is one bottom half, queued once (vmbus_resched)")
  func runsFollowTheHostsCount() {
    var loop = MainLoop()
    loop.schedule(runsScheduledByHost: 2)
    loop.schedule(runsScheduledByHost: 2)
    #expect(Array(loop.takeSlice()) == [.busRun, .busRun])
    loop.ranBusRun()
    loop.schedule(runsScheduledByHost: 2)
    #expect(Array(loop.takeSlice()) == [.busRun])
  }

  /// One guest actor with `steps` (YAML list items) on a QEMU host with hv-balloon.
  static func guest(_ steps: [String]) throws -> Scenario {
    let text = """
      description: a guest on QEMU's main loop
      expect: {outcome: host_fault}
      host:
        devices:
          - class: hv-balloon
      actors:
        - name: guest
          steps:

      """ + steps.map { "      - \($0)\n" }.joined()
    return try ScenarioParser.parse(text, file: "t.yaml")
  }

  @Test(
    "a run scheduled while the reply was in flight drains the queue after the fatal -6: UNLOAD crashes the post (vmbus_msg_cb returns without vmbus_resched)"
  )
  func runScheduledBeforeAFatalCallbackCrashesOnUnload() throws {
    let scenario = try Self.guest([
      #"linux.connect: {versions: ["4.0"]}"#, "teardown_message_page",
      "send: {type: REQUESTOFFERS}", "send: {type: UNLOAD}",
      "wait: {for: UNLOAD_RESPONSE, timeout: 1s}",
    ])
    var crashed: SimulationRun?
    var stalled = 0
    for seed in 0..<200 as Range<UInt64> {
      let run = Simulation.run(scenario, seed: seed, transcript: false)
      if run.outcome.kind == .hostFault {
        crashed = crashed ?? run
      } else {
        stalled += 1
      }
    }
    let run = try #require(crashed, "no schedule reached the crash")
    #expect(run.finalState.fault == .postWithoutRoute(.unloadResponse))
    // The fatal callback reset the bus; the UNLOAD was processed after it, by a run that was
    // scheduled before it.
    let fatal = try #require(run.events.firstIndex(of: .trace(.msgCb(status: -6))))
    let unload = try #require(
      run.events.lastIndex(of: .trace(.processIncomingMessage(messageType: .unload))))
    #expect(fatal < unload)
    // The other order, the run spent idle while the reply was in flight, stalls the queue.
    #expect(stalled > 0)
  }

  @Test("current QEMU aborts in synic_reset when the machine resets with a reply in flight")
  func machineResetWithAReplyInFlightAborts() throws {
    let current = try Self.guest([
      #"linux.connect: {versions: ["4.0"]}"#, "send: {type: REQUESTOFFERS}", "machine_reset",
    ])
    var old = current
    old.host.qemuRelease = .qemu51
    var aborted = false
    for seed in 0..<100 as Range<UInt64> {
      let run = Simulation.run(current, seed: seed, transcript: false)
      if run.finalState.fault == .routeAliveAtSynICReset(heldByMessage: true) { aborted = true }
      // QEMU 5.1-7.0 never aborts there; a late callback may.
      let before = Simulation.run(old, seed: seed, transcript: false)
      #expect(before.finalState.fault != .routeAliveAtSynICReset(heldByMessage: true))
    }
    #expect(aborted)
  }
}
