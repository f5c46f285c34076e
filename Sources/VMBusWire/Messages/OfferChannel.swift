/// OFFERCHANNEL (1), host to guest: offers one channel of a device.
public struct OfferChannel: WireMessage {
  public static let type = MessageType.offerChannel
  /// QEMU's struct has 4 bytes of tail padding; Linux's packed struct is 196 bytes.
  public static let structSize = 200

  /// Device class GUID (offset 8, mixed-endian on the wire).
  public var interfaceType: GUID
  /// Device instance GUID (offset 24, mixed-endian on the wire).
  public var interfaceInstance: GUID
  /// Class channel flags (offset 56).
  public var channelFlags: UInt16
  /// MMIO space in MiB (offset 58).
  public var mmioSizeMB: UInt16
  /// User-defined area (offset 60, 120 bytes); zero from QEMU.
  public var userData: [UInt8]
  /// Index of the channel within its device, 0 for the primary (offset 180).
  public var subChannelIndex: UInt16
  /// The channel's relid (offset 184).
  public var childRelid: ChannelID
  /// Monitor id (offset 188); QEMU sends 0.
  public var monitorID: UInt8
  /// Bit 0 of monitor_flags (offset 189): a monitor id is allocated; QEMU never sets it.
  public var monitorAllocated: Bool
  /// Bit 0 of interrupt_flags (offset 190): dedicated interrupt; QEMU always sets it.
  public var dedicatedInterrupt: Bool
  /// Connection id for signalling the host (offset 192); QEMU sends 16 + relid.
  public var connectionID: UInt32

  /// Creates an offer; defaults are the values QEMU sends.
  public init(
    interfaceType: GUID, interfaceInstance: GUID, channelFlags: UInt16 = 0,
    mmioSizeMB: UInt16 = 0, userData: [UInt8] = [UInt8](repeating: 0, count: 120),
    subChannelIndex: UInt16 = 0, childRelid: ChannelID, monitorID: UInt8 = 0,
    monitorAllocated: Bool = false, dedicatedInterrupt: Bool = true, connectionID: UInt32
  ) {
    self.interfaceType = interfaceType
    self.interfaceInstance = interfaceInstance
    self.channelFlags = channelFlags
    self.mmioSizeMB = mmioSizeMB
    self.userData = UserData.normalized(userData)
    self.subChannelIndex = subChannelIndex
    self.childRelid = childRelid
    self.monitorID = monitorID
    self.monitorAllocated = monitorAllocated
    self.dedicatedInterrupt = dedicatedInterrupt
    self.connectionID = connectionID
  }

  /// The 200-byte QEMU struct; `userData` is padded or truncated to 120 bytes.
  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeBytes(interfaceType.wireBytes, at: 8)
    payload.storeBytes(interfaceInstance.wireBytes, at: 24)
    payload.storeLittleEndian(channelFlags, at: 56)
    payload.storeLittleEndian(mmioSizeMB, at: 58)
    payload.storeBytes(UserData.normalized(userData), at: 60)
    payload.storeLittleEndian(subChannelIndex, at: 180)
    payload.storeLittleEndian(childRelid.rawValue, at: 184)
    payload.storeLittleEndian(monitorID, at: 188)
    payload.storeLittleEndian(UInt8(monitorAllocated ? 1 : 0), at: 189)
    payload.storeLittleEndian(UInt16(dedicatedInterrupt ? 1 : 0), at: 190)
    payload.storeLittleEndian(connectionID, at: 192)
    return payload
  }

  /// Reads the fields Linux reads (196 bytes); reserved fields and other flag bits are ignored.
  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    interfaceType = GUID(wireBytes: try fields.bytes(at: 8, count: 16)) ?? .zero
    interfaceInstance = GUID(wireBytes: try fields.bytes(at: 24, count: 16)) ?? .zero
    channelFlags = try fields.read(at: 56)
    mmioSizeMB = try fields.read(at: 58)
    userData = try fields.bytes(at: 60, count: UserData.count)
    subChannelIndex = try fields.read(at: 180)
    childRelid = ChannelID(try fields.read(at: 184))
    monitorID = try fields.read(at: 188)
    monitorAllocated = try fields.read(UInt8.self, at: 189) & 1 != 0
    dedicatedInterrupt = try fields.read(UInt16.self, at: 190) & 1 != 0
    connectionID = try fields.read(at: 192)
  }
}
