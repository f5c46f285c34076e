import VMBusSim
import VMBusTesting
import VMBusWire

@testable import VMBusHost

/// Random host inputs biased toward the values that matter: small relid and GPADL id sets
/// so requests collide, versions around QEMU's limits, the 4 vCPUs plus bad ones, page
/// counts around the header and body limits, and random bytes of any type.
struct RandomInputs {
  var rng: SplitMix64
  /// Leave out inputs a QEMU trace cannot show (outside resets, lost reschedules, guest
  /// memory writes).
  var traceVisibleOnly = false
  /// The host profile the sequences start.
  var profile: HostProfile = .qemu

  init(seed: UInt64, traceVisibleOnly: Bool = false, profile: HostProfile = .qemu) {
    rng = SplitMix64(seed: seed)
    self.traceVisibleOnly = traceVisibleOnly
    self.profile = profile
  }

  mutating func pick<T>(_ values: [T]) -> T {
    values[Int.random(in: 0..<values.count, using: &rng)]
  }
  mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

  mutating func relid() -> ChannelID { ChannelID(pick([0, 1, 1, 2, 2, 3, 4, 2048])) }
  mutating func gpadlID() -> GpadlID { GpadlID(pick([0xE1E10, 0xE1E10, 0xE1E11, 0xE1E12, 0])) }
  mutating func vcpu() -> UInt32 {
    pick([0, 0, 0, 0, 0, 0, 0, 1, 1, 3, 0, 0, 0, 0, 0, 4, 0xFFFF_FFFF])
  }

  mutating func version() -> ProtocolVersion {
    pick([
      .win10, .win10, .win8_1, .win8, .win7, .ws2008, .win10v4_1, .win10v5_3,
      ProtocolVersion(rawValue: 0), ProtocolVersion(major: 2, minor: 7),
    ])
  }

  mutating func pfns(_ count: Int) -> [UInt64] { (0..<count).map { UInt64(0x20000 + $0) } }

  mutating func message() -> ChannelMessage {
    switch Int.random(in: 0..<13, using: &rng) {
    case 0, 1:
      return .initiateContact(
        InitiateContact(
          versionRequested: version(), targetVCPU: vcpu(), interruptPage: pick([0, 0x3000]),
          monitorPage1: 0x1000, monitorPage2: 0x2000))
    case 2: return .requestOffers
    case 3:
      let pages = pick([0, 1, 4, 26, 40, 64])
      var header = GpadlHeader.pageAligned(
        childRelid: relid(), gpadlID: gpadlID(), pfns: pfns(pages))
      if chance(10) { header.rangeCount = pick([0, 2]) }
      if chance(10) { header.byteOffset = 16 }
      if chance(5) {
        header.rangeBufferLength = UInt16(Int.random(in: 0..<8, using: &rng));
        header.byteCount = 0xFFFF_F000
      }
      return .gpadlHeader(header)
    case 4:
      return .gpadlBody(
        GpadlBody(messageNumber: 0, gpadlID: gpadlID(), pfns: pfns(pick([0, 1, 14, 28, 30]))))
    case 5: return .gpadlTeardown(GpadlTeardown(childRelid: relid(), gpadlID: gpadlID()))
    case 6, 7:
      return .openChannel(
        OpenChannel(
          childRelid: relid(), openID: 7, ringBufferGpadlID: gpadlID(), targetVP: vcpu(),
          ringBufferOffset: pick([2, 2, 16, 20, 1, 0xFFFF_FFFF]), userData: []))
    case 8: return .closeChannel(CloseChannel(childRelid: relid()))
    case 9: return .unload
    case 10: return .relidReleased(RelidReleased(childRelid: relid()))
    case 11: return .versionResponse(VersionResponse(versionSupported: 1, connectionState: 0))
    default:
      let type = MessageType(UInt32(Int.random(in: 0..<30, using: &rng)))
      return .other(type, payload: [])
    }
  }

  /// The bytes of a message, sometimes truncated or overwritten, sometimes pure noise.
  mutating func payload() -> [UInt8] {
    var bytes = message().encoded()
    if chance(8) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
    if chance(5), !bytes.isEmpty {
      bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
    }
    if chance(3) {
      bytes = (0..<Int.random(in: 0...250, using: &rng)).map { _ in
        UInt8.random(in: 0...255, using: &rng)
      }
    }
    return bytes
  }

  /// The next input, weighted so the bus mostly makes progress.
  mutating func input(for state: HostState) -> HostInput {
    let roll = Int.random(in: 0..<(traceVisibleOnly ? 90 : 100), using: &rng)
    switch roll {
    case 0..<35:
      if state.messageInFlight {
        return .deliver(status: pick([0, 0, 0, 0, -11, -11, -6, -22]))
      }
      return .runBus
    case 35..<80:
      var call = GuestHypercall(payload: payload())
      if chance(3) { call.connectionID = pick([4, 2, 0x0100_0001]) }
      if chance(2) { call.messageType = 2 }
      if chance(2) { call.payloadSize = pick([241, 3, 300]) }
      return .hypercall(call)
    case 80..<86:
      // A stray callback with nothing in flight crashes QEMU (§9.46): keep it rare.
      if state.messageInFlight || (!traceVisibleOnly && chance(10)) {
        return .deliver(status: pick([0, -11, -6]))
      }
      return .runBus
    case 86..<90: return .signalEvent(connectionID: pick([2, 17, 18, 5]))
    case 90..<92: return .resetMachine
    case 92..<94: return .resetDevice(instanceID: pick(Self.instances))
    case 94..<96: return .dispatchBusNotifier
    case 96..<98: return .corruptRingIndices(gpadlID())
    default: return .realizeDevice(device(pick([0, 1, 2, 5])))
    }
  }

  static let instances = (0..<4).map { GUID("00000000-0000-4000-8000-00000000000\($0)") ?? .zero }

  func device(_ index: Int) -> DeviceConfig {
    DeviceConfig(
      name: "dev\(index)", classID: KnownDeviceClass.netvsc.classID,
      instanceID: Self.instances[min(index, Self.instances.count - 1)],
      channelCount: UInt16(index % 3), openHookFails: index == 5)
  }

  /// A machine with 4 vCPUs (vCPU 3 without SynIC) and two devices, one with 2 channels;
  /// usually connected at 4.0 with offers requested, so sequences reach the deeper states.
  mutating func startInputs() -> [HostInput] {
    var start: [HostInput] = [
      .startMachine(profile: profile, machine: MachineConfig(vcpuCount: 4, vcpusWithoutSynIC: [3])),
      .realizeDevice(device(1)), .realizeDevice(device(2)),
    ]
    if chance(80) {
      let contact = InitiateContact(
        versionRequested: .win10, targetVCPU: 0, interruptPage: 0, monitorPage1: 0x1000,
        monitorPage2: 0x2000)
      start += [
        .hypercall(GuestHypercall(payload: ChannelMessage.initiateContact(contact).encoded())),
        .runBus, .runBus, .deliver(status: 0),
        .hypercall(GuestHypercall(payload: ChannelMessage.requestOffers.encoded())),
      ]
    }
    return start
  }
}
