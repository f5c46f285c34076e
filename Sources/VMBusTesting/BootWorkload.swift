import VMBusHost
import VMBusWire

/// A fixed guest session driven straight through the reducer, without the scheduler: the
/// event mix the benchmarks and the store's tests use (contact with one refused version,
/// offers, ring GPADLs in a header and bodies, opens, a busy retry on every fifth post,
/// closes, teardowns, unload). It is not Linux: the Linux guest is the `linux.*` steps
/// (docs/linux-guest-model.md).
package struct BootWorkload {
  private(set) var state = HostState()
  private(set) var events: [HostEvent] = []
  private var posts = 0

  static let devices: [KnownDeviceClass] = [.netvsc, .storvsc, .hvBalloon]

  /// Runs `boots` complete sessions back to back (each INITIATE_CONTACT resets the bus).
  package static func events(boots: Int) -> [HostEvent] {
    var workload = BootWorkload()
    workload.input(.startMachine(profile: .qemu, machine: MachineConfig(vcpuCount: 2)))
    for (index, device) in devices.enumerated() {
      let instance = GUID("00000000-0000-4000-8000-00000000000\(index)") ?? .zero
      workload.input(
        .realizeDevice(
          DeviceConfig(name: device.rawValue, classID: device.classID, instanceID: instance)))
    }
    for _ in 0..<boots { workload.boot() }
    return workload.events
  }

  private mutating func boot() {
    for version in [ProtocolVersion.win10v4_1, .win10] {
      send(
        .initiateContact(
          InitiateContact(
            versionRequested: version, targetVCPU: 0, interruptPage: 0, monitorPage1: 0x1000,
            monitorPage2: 0x2000)))
      settle()
    }
    send(.requestOffers)
    settle()
    var gpadlID: UInt32 = 0xE1E10
    let relids = state.channels.map(\.id)
    for relid in relids {
      let pfns = (0..<64).map { UInt64(0x10000 + $0) }
      let messages = GpadlHeader.pageAlignedMessages(
        childRelid: relid, gpadlID: GpadlID(gpadlID), pfns: pfns)
      for message in messages { send(message) }
      settle()
      send(
        .openChannel(
          OpenChannel(
            childRelid: relid, openID: relid.rawValue, ringBufferGpadlID: GpadlID(gpadlID),
            targetVP: 0, ringBufferOffset: 32, userData: [])))
      settle()
      input(.signalEvent(connectionID: 16 + relid.rawValue))
      gpadlID += 1
    }
    gpadlID = 0xE1E10
    for relid in relids {
      send(.closeChannel(CloseChannel(childRelid: relid)))
      send(.gpadlTeardown(GpadlTeardown(childRelid: relid, gpadlID: GpadlID(gpadlID))))
      settle()
      gpadlID += 1
    }
    send(.unload)
    settle()
  }

  private mutating func send(_ message: ChannelMessage) {
    input(.hypercall(GuestHypercall(payload: message.encoded())))
  }

  private mutating func input(_ input: HostInput) {
    events += HostModel.step(&state, input)
  }

  /// Runs the bus and delivers its messages until it is quiet.
  private mutating func settle() {
    while state.isAlive {
      if state.messageInFlight {
        posts += 1
        input(.deliver(status: posts % 5 == 0 ? DeliveryStatus.slotBusy : DeliveryStatus.delivered))
      } else if state.runScheduled && (state.bus != .listen || !state.rxQueue.isEmpty) {
        input(.runBus)
      } else {
        return
      }
    }
  }
}
