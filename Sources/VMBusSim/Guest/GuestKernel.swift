import VMBusHost
import VMBusWire

/// What the guest kernel knows, shared by its actors: the offers it received, Linux's
/// global GPADL id counter, the ring GPADLs it opened, and the negotiated version.
struct GuestKernel: Hashable, Sendable {
  /// A ring GPADL the guest allocated.
  struct RingGpadl: Hashable, Sendable {
    var channel: DeviceChannel
    var id: UInt32
  }

  /// Devices by scenario name: class and instance, to find their offers. A scenario has a
  /// handful, so a list searched by name beats hashing the name on every lookup.
  private var devices: [DeviceSpec] = []
  /// OFFERCHANNEL messages received, in arrival order.
  private(set) var offers: [OfferChannel] = []
  /// `vmbus_connection.next_gpadl_handle`: starts at 0xE1E10, never reused within a boot.
  private(set) var nextGpadl: UInt32 = 0xE1E10
  /// Ring GPADL ids in device-channel order, at most one per channel (a short list too).
  private(set) var ringGpadls: [RingGpadl] = []
  /// The version the host accepted, once connected.
  var connectedVersion: ProtocolVersion?
  /// The exploration key of `offers` and `ringGpadls`, updated when they change (rarely),
  /// because the explorer hashes every state it reaches.
  private(set) var learnedKey: UInt64 = 0

  init(devices: [DeviceSpec]) {
    // The first device of a name wins, as in the scenario's own checks.
    for device in devices where self.device(named: device.name) == nil {
      self.devices.append(device)
    }
  }

  /// The configuration of the device with this scenario name.
  func device(named name: String) -> DeviceConfig? {
    devices.first { $0.name == name }?.config
  }

  /// Adds a device, or replaces the configuration of one with the same name.
  mutating func add(_ device: DeviceSpec) {
    if let index = devices.firstIndex(where: { $0.name == device.name }) {
      devices[index].config = device.config
    } else {
      devices.append(device)
    }
  }

  /// The ring GPADL id allocated for a device channel.
  func ringGpadl(for channel: DeviceChannel) -> UInt32? {
    ringGpadls.first { $0.channel == channel }?.id
  }

  /// Records what a host message teaches the guest.
  mutating func receive(_ message: ChannelMessage) {
    if case .offerChannel(let offer) = message {
      offers.removeAll { $0.childRelid == offer.childRelid }
      offers.append(offer)
      learnedKey = Self.explorationKey(offers: offers, ringGpadls: ringGpadls)
    }
  }

  /// Linux's `vmbus_establish_gpadl` for a device channel's ring: the next id is its ring's.
  mutating func allocateRingGpadl(for channel: DeviceChannel) {
    if let index = ringGpadls.firstIndex(where: { $0.channel == channel }) {
      ringGpadls[index].id = nextGpadl
    } else {
      let index = ringGpadls.firstIndex { channel < $0.channel } ?? ringGpadls.endIndex
      ringGpadls.insert(RingGpadl(channel: channel, id: nextGpadl), at: index)
    }
    nextGpadl &+= 1
    learnedKey = Self.explorationKey(offers: offers, ringGpadls: ringGpadls)
  }

  /// The offers in arrival order, then the ring GPADLs in device-channel order.
  private static func explorationKey(offers: [OfferChannel], ringGpadls: [RingGpadl]) -> UInt64 {
    var hasher = WordHasher()
    for offer in offers {
      ChannelMessage.offerChannel(offer).addExplorationKey(into: &hasher)
    }
    for ring in ringGpadls {
      hasher.add(bytes: Array(ring.channel.device.utf8))
      hasher.add(ring.channel.subchannel)
      hasher.add(ring.id)
    }
    return hasher.value
  }

  /// The value of an operand, or why it has none yet.
  func resolve(_ operand: Operand) -> Result<UInt64, GuestError> {
    switch operand {
    case .number(let value):
      return .success(value)
    case .relid(let device, let subchannel):
      // By index, so only the instance id is read out, not a copy of the whole device.
      guard let index = devices.firstIndex(where: { $0.name == device }) else {
        return .failure(.unknownDevice(device))
      }
      let instance = devices[index].config.instanceID
      let offer = offers.last {
        $0.interfaceInstance == instance && $0.subChannelIndex == subchannel
      }
      guard let offer else { return .failure(.notOffered(device: device, subchannel: subchannel)) }
      return .success(UInt64(offer.childRelid.rawValue))
    case .ringGpadl(let device, let subchannel):
      let channel = DeviceChannel(device, subchannel)
      guard let id = ringGpadl(for: channel) else { return .failure(.noRingGpadl(channel)) }
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
