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
}
