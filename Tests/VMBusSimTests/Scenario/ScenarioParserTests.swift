import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// Valid files: every key read into the exact model, and the defaults.
@Suite("Scenario parser")
struct ScenarioParserTests {
  /// Every key of the format, most of them away from their defaults.
  static let full = """
    name: linux-boot
    description: Linux boots with netvsc and storvsc, opens, closes and unloads
    expect: {outcome: host_fault, message: "GPADL_BODY"}
    host:
      profile: qemu
      vcpus: 4
      vcpus_without_synic: [1, 0x3]
      devices:
        - class: netvsc
          channels: 2
        - class: storvsc
          name: disk0
          instance: 1B9F1D7E-0000-4000-8000-00000000ABCD
          channel_flags: 0x10
          mmio_mb: 16
          open_fails: true
        - class_id: 11111111-2222-3333-4444-555555555555
          name: custom
    faults:
      slot_busy: 0.1
      message_page_missing: 1
    limits: {max_steps: 5000, max_time: 90s}
    actors:
      - name: boot
        steps:
          - linux.connect: {versions: ["5.0", 4.0], vcpu: 1}
          - linux.request_offers: {wait: false}
          - linux.open: {device: netvsc, subchannel: 1, ring_pages: 128, target_vp: 2, expect_status: 0x1}
          - linux.close: {device: disk0}
          - linux.unload: {mode: crash}
          - linux.connect
          - linux.request_offers:
          - linux.unload: {}
      - name: raw
        steps:
          - send: {type: GPADL_HEADER, gpadl_id: 0xE1E10, child_relid: relid(netvsc), pages: 4, pfn_count: 4, rangecount: 2}
          - send: {type: 22, payload: "01000000 02000000"}
          - send: {type: OPENCHANNEL, child_relid: 1, truncate: 100, connection_id: 4, synic_type: 1, payload_size: 300}
          - send:
              type: gpadl_teardown
              child_relid: relid(netvsc, 1)
              gpadl_id: ring_gpadl(netvsc)
          - send: {type: INITIATE_CONTACT, version_requested: 4.0, monitor_page1: 0xFFFFFFFFFFFFFFFF}
          - send: REQUESTOFFERS
          - wait: {for: VERSION_RESPONSE, timeout: 10ms, match: {}, expect: {version_supported: 1}}
          - wait: {for: GPADL_CREATED, match: {gpadl_id: 0xE1E10}, timeout: 1s, expect_timeout: true}
          - wait: {for: 6, match: {child_relid: "relid(disk0, 0)"}, expect: {status: 0, open_id: relid(disk0)}}
          - wait: ALLOFFERS_DELIVERED
          - sleep: 5ms
          - slot_busy: 3
          - teardown_message_page
          - restore_message_page
          - machine_reset
          - device_reset: {device: netvsc}
          - device_added: {class: hv-balloon, name: balloon}
          - device_added: {class: kvp}
          - corrupt_ring: {device: balloon}
    """

  /// The GUID the parser gives the device at `index` (0-based) when none is written.
  static func defaultInstance(_ index: UInt64) -> GUID {
    GUID(high: 0x4000, low: 0x8000_0000_0000_0000 | (index + 1))
  }

  static func device(
    _ name: String, _ known: KnownDeviceClass, index: UInt64, channels: UInt16 = 1
  ) -> DeviceSpec {
    DeviceSpec(
      name: name,
      config: DeviceConfig(
        name: name, classID: known.classID, instanceID: defaultInstance(index),
        channelCount: channels))
  }

  static func step(_ action: StepAction, _ line: Int, _ column: Int = 9) -> Step {
    Step(action, at: VMBusSim.SourceLocation(line: line, column: column))
  }

  @Test("a file with every key parses to the exact scenario")
  func fullFile() throws {
    let disk = DeviceSpec(
      name: "disk0",
      config: DeviceConfig(
        name: "disk0", classID: KnownDeviceClass.storvsc.classID,
        instanceID: try #require(GUID("1b9f1d7e-0000-4000-8000-00000000abcd")), channelCount: 1,
        channelFlags: 0x10, mmioSizeMB: 16, openHookFails: true))
    let custom = DeviceSpec(
      name: "custom",
      config: DeviceConfig(
        name: "custom", classID: try #require(GUID("11111111-2222-3333-4444-555555555555")),
        instanceID: Self.defaultInstance(2)))
    let boot: [Step] = [
      Self.step(.linux(.connect(versions: [.win10v5, .win10], vcpu: 1)), 26),
      Self.step(.linux(.requestOffers(waitForAll: false)), 27),
      Self.step(
        .linux(
          .open(device: "netvsc", subchannel: 1, ringPages: 128, targetVP: 2, expectStatus: 1)),
        28),
      Self.step(.linux(.close(device: "disk0", subchannel: 0)), 29),
      Self.step(.linux(.unload(crash: true)), 30),
      Self.step(.linux(.connect(versions: nil, vcpu: 0)), 31),
      Self.step(.linux(.requestOffers(waitForAll: nil)), 32),
      Self.step(.linux(.unload(crash: false)), 33),
    ]
    let raw: [Step] = [
      Self.step(
        .send(
          MessageSpec(
            type: .gpadlHeader,
            fields: [
              FieldOverride(.gpadlID, .number(0xE1E10)),
              FieldOverride(.childRelid, .relid(device: "netvsc", subchannel: 0)),
              FieldOverride(.pages, .number(4)), FieldOverride(.pfnCount, .number(4)),
              FieldOverride(.rangeCount, .number(2)),
            ])), 36),
      Self.step(
        .send(MessageSpec(type: .modifyChannel, rawPayload: [1, 0, 0, 0, 2, 0, 0, 0])), 37),
      Self.step(
        .send(
          MessageSpec(
            type: .openChannel, fields: [FieldOverride(.childRelid, .number(1))], truncateTo: 100,
            connectionID: 4, synicMessageType: 1, payloadSize: 300)), 38),
      Self.step(
        .send(
          MessageSpec(
            type: .gpadlTeardown,
            fields: [
              FieldOverride(.childRelid, .relid(device: "netvsc", subchannel: 1)),
              FieldOverride(.gpadlID, .ringGpadl(device: "netvsc", subchannel: 0)),
            ])), 39),
      Self.step(
        .send(
          MessageSpec(
            type: .initiateContact,
            fields: [
              FieldOverride(.versionRequested, .number(0x40000)),
              FieldOverride(.monitorPage1, .number(UInt64.max)),
            ])), 43),
      Self.step(.send(MessageSpec(type: .requestOffers)), 44),
      Self.step(
        .wait(
          WaitSpec(
            type: .versionResponse, expect: [ReplyValue(.versionSupported, .number(1))],
            timeout: .milliseconds(10))), 45),
      Self.step(
        .wait(
          WaitSpec(
            type: .gpadlCreated, match: [ReplyValue(.gpadlID, .number(0xE1E10))],
            timeout: .seconds(1), expectTimeout: true)), 46),
      Self.step(
        .wait(
          WaitSpec(
            type: .openChannelResult,
            match: [ReplyValue(.childRelid, .relid(device: "disk0", subchannel: 0))],
            expect: [
              ReplyValue(.status, .number(0)),
              ReplyValue(.openID, .relid(device: "disk0", subchannel: 0)),
            ])), 47),
      Self.step(.wait(WaitSpec(type: .allOffersDelivered)), 48),
      Self.step(.sleep(.milliseconds(5)), 49),
      Self.step(.environment(.slotBusy(deliveries: 3)), 50),
      Self.step(.environment(.teardownMessagePage), 51),
      Self.step(.environment(.restoreMessagePage), 52),
      Self.step(.environment(.machineReset), 53),
      Self.step(.environment(.deviceReset(device: "netvsc")), 54),
      Self.step(.environment(.deviceAdded(Self.device("balloon", .hvBalloon, index: 3))), 55),
      Self.step(.environment(.deviceAdded(Self.device("kvp", .kvp, index: 4))), 56),
      Self.step(.environment(.corruptRing(device: "balloon")), 57),
    ]
    let expected = Scenario(
      name: "linux-boot",
      description: "Linux boots with netvsc and storvsc, opens, closes and unloads",
      expected: ExpectedOutcome(.hostFault, messageContains: "GPADL_BODY"),
      host: HostSpec(
        profile: .qemu, vcpus: 4, vcpusWithoutSynIC: [1, 3],
        devices: [Self.device("netvsc", .netvsc, index: 0, channels: 2), disk, custom]),
      faults: FaultSettings(slotBusy: 0.1, messagePageMissing: 1),
      actors: [ActorScript(name: "boot", steps: boot), ActorScript(name: "raw", steps: raw)],
      limits: RunLimits(maxSteps: 5000, maxTime: .seconds(90)))

    let scenario = try ScenarioParser.parse(Self.full, file: "scenarios/full.yaml")
    #expect(scenario == expected)
  }

  @Test("the guest key and the driver and lifecycle steps parse, and write back the same")
  func guestAndLifecycles() throws {
    let text = """
      description: lifecycles
      expect: passed
      host:
        devices:
          - class: netvsc
      guest: {kernel: "7.2", probe: auto}
      actors:
        - name: a
          steps:
            - linux.probe: {device: netvsc}
            - linux.remove: {device: netvsc}
            - linux.kexec
            - linux.kdump
            - linux.hibernate
            - linux.hibernate: {mode: reboot}
            - linux.hibernate: {mode: thaw}
            - linux.hibernate: {mode: platform}
            - linux.hibernate: {mode: shutdown}
            - linux.hibernate: {mode: suspend}
            - linux.reboot
            - linux.emergency_restart
            - linux.suspend
            - linux.hvsock_connect: {port: 22}
      """
    let scenario = try ScenarioParser.parse(text, file: "scenarios/lifecycles.yaml")
    #expect(scenario.guest == GuestSpec(kernel: LinuxKernel(major: 7, minor: 2), autoProbe: true))
    #expect(
      scenario.actors.first?.steps.map(\.action) == [
        .linux(.probe(device: "netvsc")), .linux(.remove(device: "netvsc")), .linux(.kexec),
        .linux(.kdump), .linux(.hibernate(.thaw)), .linux(.hibernate(.reboot)),
        .linux(.hibernate(.thaw)), .linux(.hibernate(.platform)),
        .linux(.hibernate(.shutdown)), .linux(.hibernate(.suspend)), .linux(.reboot),
        .linux(.emergencyRestart), .linux(.suspend), .linux(.hvsockConnect(port: 22)),
      ])
    let again = try ScenarioParser.parse(ScenarioWriter.yaml(scenario), file: "again.yaml")
    #expect(again.guest == scenario.guest)
    #expect(again.actors.first?.steps.map(\.action) == scenario.actors.first?.steps.map(\.action))
  }

  @Test(
    "a bad guest key names its field",
    arguments: [
      (
        "guest: {kernel: \"six\"}",
        "guest.kernel: expected a Linux release such as \"6.12\", found 'six'"
      ),
      (
        "guest: {probe: manual}",
        "guest.probe: unknown probe mode 'manual'; probe modes are auto, steps"
      ),
      ("guest: {kernel: \"6.12\", flavour: rt}", "guest: unknown key 'flavour'"),
    ])
  func badGuestKey(line: String, message: String) {
    let text = """
      description: bad guest
      expect: passed
      host:
        devices:
          - class: netvsc
      \(line)
      actors:
        - name: a
          steps:
            - linux.probe: {device: netvsc}
      """
    #expect(throws: (any Error).self) { try ScenarioParser.parse(text, file: "bad.yaml") }
    do {
      _ = try ScenarioParser.parse(text, file: "bad.yaml")
    } catch {
      #expect("\(error)".contains(message), "\(error)")
      #expect("\(error)".contains("bad.yaml:6:"), "\(error)")
    }
  }

  @Test("omitted keys take their documented defaults")
  func defaults() throws {
    let text = """
      description: minimal
      expect: passed
      host:
        devices:
          - class: netvsc
      actors:
        - name: a
          steps:
            - linux.open: {device: netvsc}
            - linux.close: {device: netvsc}
            - linux.connect: {}
            - send: {type: UNLOAD}
            - wait: {for: UNLOAD_RESPONSE}
      """
    let steps: [Step] = [
      Self.step(
        .linux(
          .open(device: "netvsc", subchannel: 0, ringPages: nil, targetVP: nil, expectStatus: 0)),
        9),
      Self.step(.linux(.close(device: "netvsc", subchannel: 0)), 10),
      Self.step(.linux(.connect(versions: nil, vcpu: 0)), 11),
      Self.step(
        .send(MessageSpec(type: .unload, connectionID: 1, synicMessageType: 1)), 12),
      Self.step(.wait(WaitSpec(type: .unloadResponse, timeout: nil, expectTimeout: false)), 13),
    ]
    let expected = Scenario(
      name: "minimal", description: "minimal", expected: ExpectedOutcome(.passed),
      host: HostSpec(
        profile: .qemu, vcpus: 2, vcpusWithoutSynIC: [],
        devices: [Self.device("netvsc", .netvsc, index: 0)]),
      faults: FaultSettings(slotBusy: 0, messagePageMissing: 0),
      actors: [ActorScript(name: "a", steps: steps)],
      limits: RunLimits(maxSteps: 100_000, maxTime: .seconds(3600)))
    #expect(try ScenarioParser.parse(text, file: "scenarios/minimal.yaml") == expected)
  }

  @Test(
    "the default name is the file's base name",
    arguments: [
      ("scenarios/linux-boot.yaml", "linux-boot"), ("a/b/c.yml", "c"), ("plain", "plain"),
      (".yaml", ".yaml"), ("", "scenario"),
    ])
  func defaultName(file: String, name: String) {
    #expect(ScenarioParser.baseName(of: file) == name)
  }

  @Test("a multi-line description folded by > reads as one line")
  func foldedDescription() throws {
    let text = """
      description: >
        Linux boots
        and stops
      expect: passed
      host: {devices: []}
      actors: [{name: a, steps: [machine_reset]}]
      """
    let scenario = try ScenarioParser.parse(text, file: "x.yaml")
    #expect(scenario.description == "Linux boots and stops")
    #expect(scenario.host.devices.isEmpty)
    #expect(
      scenario.actors[0].steps == [
        Step(.environment(.machineReset), at: .init(line: 6, column: 28))
      ])
  }
}
