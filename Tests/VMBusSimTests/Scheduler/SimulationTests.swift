import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// Scenarios built in code, run under the scheduler.
@Suite("Simulation")
struct SimulationTests {
  static let devices = [
    DeviceSpec(
      name: "netvsc",
      config: DeviceConfig(
        name: "netvsc", classID: KnownDeviceClass.netvsc.classID,
        instanceID: GUID("00000000-0000-4000-8000-000000000001") ?? .zero)),
    DeviceSpec(
      name: "storvsc",
      config: DeviceConfig(
        name: "storvsc", classID: KnownDeviceClass.storvsc.classID,
        instanceID: GUID("00000000-0000-4000-8000-000000000002") ?? .zero)),
  ]

  static func linuxBoot(slotBusy: Double = 0) -> Scenario {
    let steps: [StepAction] = [
      .linux(.connect(versions: LinuxStep.defaultVersions, vcpu: 0)),
      .linux(.requestOffers(waitForAll: true)),
      .linux(.open(device: "netvsc", subchannel: 0, ringPages: 256, targetVP: 0, expectStatus: 0)),
      .linux(.open(device: "storvsc", subchannel: 0, ringPages: 64, targetVP: 1, expectStatus: 0)),
      .linux(.close(device: "netvsc", subchannel: 0)),
      .linux(.close(device: "storvsc", subchannel: 0)),
      .linux(.unload(crash: false)),
    ]
    return Scenario(
      name: "linux-boot", description: "boot", host: HostSpec(devices: devices),
      faults: FaultSettings(slotBusy: slotBusy),
      actors: [ActorScript(name: "boot", steps: steps.map { Step($0) })])
  }

  @Test("a Linux boot with two devices passes and ends unloaded")
  func linuxBootPasses() {
    let run = Simulation.run(Self.linuxBoot(), seed: 1)
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.finalState.version == ProtocolVersion(rawValue: 0))
    #expect(run.finalState.gpadls.isEmpty)
    #expect(HostState.fold(run.events).state == run.finalState)
    #expect(
      run.transcript.contains { $0.direction == .hostToGuest && $0.text == "UNLOAD_RESPONSE" })
  }

  @Test(
    "same scenario and seed give the same events; slot-busy faults retry and still pass",
    arguments: [0, 1, 2, 3, 42] as [UInt64])
  func deterministic(seed: UInt64) {
    let first = Simulation.run(Self.linuxBoot(slotBusy: 0.3), seed: seed)
    let second = Simulation.run(Self.linuxBoot(slotBusy: 0.3), seed: seed)
    #expect(first.events == second.events)
    #expect(first.choices == second.choices)
    #expect(first.outcome.kind == .passed, "\(first.outcome)")
    #expect(first.events.contains(.trace(.msgCb(status: -11))))
    let replayed = Simulation<TranscriptRecorder>(
      PreparedScenario(Self.linuxBoot(slotBusy: 0.3)), seed: 999, replaying: first.choices)
    var replay = replayed
    #expect(replay.run().events == first.events)
  }

  /// HvSignalEvent on connection 2 sets the bus notifier; the main loop's handler traces
  /// `vmbus_signal_event` when it runs, once for however many signals came before it.
  @Test("a guest's signals on the bus connection reach vmbus_signal_event, coalesced as QEMU's")
  func busSignals() throws {
    let scenario = try FuzzTests.bundled("qemu-signal-event.yaml")
    var traces: Set<Int> = []
    for seed in 0..<40 as Range<UInt64> {
      let run = Simulation.run(scenario, seed: seed)
      #expect(run.outcome.kind == .passed, "seed \(seed): \(run.outcome)")
      traces.insert(run.events.count { $0 == .trace(.signalEvent) })
      let statuses = run.events.compactMap { event -> HypercallStatus? in
        if case .simulator(.signal(_, let status)) = event { status } else { nil }
      }
      #expect(
        statuses == [.success, .success, .invalidConnectionID, .invalidHypercallInput],
        "seed \(seed)")
    }
    // Some schedules run the handler between the two signals, some after both.
    #expect(traces == [1, 2])
  }
}
