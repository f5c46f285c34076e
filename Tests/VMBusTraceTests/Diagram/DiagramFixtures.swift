import VMBusHost
import VMBusTrace
import VMBusWire

/// Sessions the diagram tests build: a bare QEMU trace written out event by event, and a
/// simulated one driven through the host model.
enum DiagramFixtures {
  /// A bare trace: contact, offers with one busy retry, a GPADL, an open, data-plane signals,
  /// a CLOSECHANNEL the handler drops before its trace point, a RELID_RELEASED QEMU ignores,
  /// and a callback with nothing posted (a violation).
  static let bareTrace: [TraceEvent] = [
    .recvMessage(type: .initiateContact, size: 40),  // 1
    .processIncomingMessage(messageType: .initiateContact),
    .initiateContact(
      major: 4, minor: 0, vcpu: 0, monitorPage1: 0x7e000, monitorPage2: 0x7f000,
      interruptPage: 0x7d000),
    .postMsg(type: .versionResponse, size: 12),
    .msgCb(status: 0),  // 5
    .recvMessage(type: .requestOffers, size: 8),
    .processIncomingMessage(messageType: .requestOffers),
    .sendOffer(chanID: ChannelID(1), dev: DevicePointer(rawValue: 0x55d6_c0a1_b2c0)),
    .postMsg(type: .offerChannel, size: 200),
    .msgCb(status: -11),  // 10
    .sendOffer(chanID: ChannelID(1), dev: DevicePointer(rawValue: 0x55d6_c0a1_b2c0)),
    .postMsg(type: .offerChannel, size: 200),
    .msgCb(status: 0),
    .terminateOffers,
    .postMsg(type: .allOffersDelivered, size: 8),  // 15
    .msgCb(status: 0),
    .recvMessage(type: .gpadlHeader, size: 56),
    .recvMessage(type: .gpadlBody, size: 24),
    .processIncomingMessage(messageType: .gpadlHeader),
    .gpadlHeader(gpadlID: GpadlID(925200), numGfns: 2),  // 20
    .processIncomingMessage(messageType: .gpadlBody),
    .gpadlBody(gpadlID: GpadlID(925200)),
    .gpadlCreated(gpadlID: GpadlID(925200)),
    .postMsg(type: .gpadlCreated, size: 20),
    .msgCb(status: 0),  // 25
    .recvMessage(type: .openChannel, size: 32),
    .processIncomingMessage(messageType: .openChannel),
    .openChannel(chanID: ChannelID(1), gpadlID: GpadlID(925200), targetVP: 0),
    .channelOpen(chanID: ChannelID(1), status: 0),
    .postMsg(type: .openChannelResult, size: 20),  // 30
    .msgCb(status: 0),
    .signalEvent,
    .channelNotifyGuest(chanID: ChannelID(1)),
    .channelNotifyGuest(chanID: ChannelID(1)),
    .recvMessage(type: .closeChannel, size: 4),  // 35
    .processIncomingMessage(messageType: .closeChannel),
    .recvMessage(type: .relidReleased, size: 12),
    .processIncomingMessage(messageType: .relidReleased),
    .msgCb(status: 0),
  ]

  /// ``bareTrace`` numbered from 1.
  static var bareEvents: [(seq: Int, event: HostEvent)] {
    bareTrace.enumerated().map { ($0.offset + 1, HostEvent.trace($0.element)) }
  }

  static let balloon = DeviceConfig(
    name: "hv-balloon", classID: KnownDeviceClass.hvBalloon.classID,
    instanceID: GUID(high: 0x1111_1111_1111_4111, low: 0x8111_1111_1111_1111))

  /// A simulation through ``HostModel``: a hypercall on the wrong connection, contact, a
  /// GPADL, the queue filled past its 16 slots, UNLOAD flushing what was queued behind it,
  /// and a GPADL_BODY for a full GPADL that crashes the host.
  static func simulated() -> [(seq: Int, event: HostEvent)] {
    var state = HostState()
    var events: [HostEvent] = []
    func input(_ input: HostInput) { events += HostModel.step(&state, input) }
    func settle() {
      for _ in 0..<200 {
        if state.messageInFlight {
          input(.deliver(status: 0))
        } else if state.runScheduled && state.isAlive {
          input(.runBus)
        } else {
          return
        }
      }
    }
    func post(_ message: ChannelMessage, connection: UInt32 = 1) {
      input(.hypercall(GuestHypercall(connectionID: connection, payload: message.encoded())))
    }
    let contact = ChannelMessage.initiateContact(
      InitiateContact(versionRequested: ProtocolVersion(major: 4, minor: 0), targetVCPU: 0))
    input(.startMachine(profile: .qemu, machine: MachineConfig(vcpuCount: 2)))
    input(.realizeDevice(balloon))
    post(contact, connection: 4)
    post(contact)
    settle()
    post(.requestOffers)
    settle()
    let header = GpadlHeader(
      childRelid: ChannelID(1), gpadlID: GpadlID(512), rangeBufferLength: 24, rangeCount: 1,
      byteCount: 8192, byteOffset: 0, pfns: [0x100, 0x101])
    post(.gpadlHeader(header))
    settle()
    post(.closeChannel(CloseChannel(childRelid: ChannelID(7))))
    settle()
    post(.unload)
    for _ in 0..<17 { post(.requestOffers) }
    settle()
    post(contact)
    settle()
    post(.gpadlHeader(header))
    settle()
    post(.gpadlBody(GpadlBody(messageNumber: 0, gpadlID: GpadlID(512), pfns: [0x102])))
    settle()
    return events.enumerated().map { ($0.offset + 1, $0.element) }
  }
}
