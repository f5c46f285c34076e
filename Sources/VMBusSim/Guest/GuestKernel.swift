import VMBusHost
import VMBusWire

/// What the guest kernel knows, shared by its actors: the offers it received, Linux's
/// global GPADL id counter, the ring GPADLs it opened, and the negotiated version.
struct GuestKernel: Hashable, Sendable {
  /// Devices by scenario name: class and instance, to find their offers.
  var devices: [String: DeviceConfig]
  /// OFFERCHANNEL messages received, in arrival order.
  var offers: [OfferChannel] = []
  /// `vmbus_connection.next_gpadl_handle`: starts at 0xE1E10, never reused within a boot.
  var nextGpadl: UInt32 = 0xE1E10
  /// Ring GPADL ids by device channel.
  var ringGpadls: [DeviceChannel: UInt32] = [:]
  /// The version the host accepted, once connected.
  var connectedVersion: ProtocolVersion?

  init(devices: [DeviceSpec]) {
    self.devices = Dictionary(
      devices.map { ($0.name, $0.config) }, uniquingKeysWith: { first, _ in first })
  }

  /// Records what a host message teaches the guest.
  mutating func receive(_ message: ChannelMessage) {
    if case .offerChannel(let offer) = message {
      offers.removeAll { $0.childRelid == offer.childRelid }
      offers.append(offer)
    }
  }

  /// The value of an operand, or why it has none yet.
  func resolve(_ operand: Operand) -> Result<UInt64, GuestError> {
    switch operand {
    case .number(let value):
      return .success(value)
    case .relid(let device, let subchannel):
      guard let config = devices[device] else { return .failure(.unknownDevice(device)) }
      let offer = offers.last {
        $0.interfaceInstance == config.instanceID && $0.subChannelIndex == subchannel
      }
      guard let offer else { return .failure(.notOffered(device: device, subchannel: subchannel)) }
      return .success(UInt64(offer.childRelid.rawValue))
    case .ringGpadl(let device, let subchannel):
      let channel = DeviceChannel(device, subchannel)
      guard let id = ringGpadls[channel] else { return .failure(.noRingGpadl(channel)) }
      return .success(UInt64(id))
    }
  }
}

/// Why a guest step could not be carried out.
enum GuestError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownDevice(String)
  case notOffered(device: String, subchannel: UInt16)
  case noRingGpadl(DeviceChannel)
  case valueTooLarge(MessageField, UInt64)

  var description: String {
    switch self {
    case .unknownDevice(let name): "no device named '\(name)'"
    case .notOffered(let device, let subchannel):
      "the host never offered \(device)\(subchannel == 0 ? "" : " sub-channel \(subchannel)")"
    case .noRingGpadl(let key): "\(key) has no ring GPADL (not opened by this guest)"
    case .valueTooLarge(let field, let value): "\(field.rawValue) = \(value) does not fit the field"
    }
  }
}
