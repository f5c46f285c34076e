/// INITIATE_CONTACT (14), guest to host: requests a protocol version and names the target vCPU.
public struct InitiateContact: WireMessage {
  public static let type = MessageType.initiateContact
  public static let structSize = 40

  /// Requested version (offset 8).
  public var versionRequested: ProtocolVersion
  /// vCPU that receives host messages (offset 12).
  public var targetVCPU: UInt32
  /// Interrupt page GPA (offset 16); for Linux at 5.0 and later, msg_sint, msg_vtl and flags.
  public var interruptPage: UInt64
  /// First monitor page GPA (offset 24); QEMU only traces it.
  public var monitorPage1: UInt64
  /// Second monitor page GPA (offset 32); QEMU only traces it.
  public var monitorPage2: UInt64

  /// Creates a message from its fields.
  public init(
    versionRequested: ProtocolVersion, targetVCPU: UInt32, interruptPage: UInt64 = 0,
    monitorPage1: UInt64 = 0, monitorPage2: UInt64 = 0
  ) {
    self.versionRequested = versionRequested
    self.targetVCPU = targetVCPU
    self.interruptPage = interruptPage
    self.monitorPage1 = monitorPage1
    self.monitorPage2 = monitorPage2
  }

  /// Byte 16 of the payload: Linux's msg_sint (version 5.0 and later).
  public var messageSINT: UInt8 {
    get { UInt8(truncatingIfNeeded: interruptPage) }
    set { interruptPage = (interruptPage & ~0xFF) | UInt64(newValue) }
  }

  /// Byte 17 of the payload: Linux's msg_vtl (version 5.0 and later).
  public var messageVTL: UInt8 {
    get { UInt8(truncatingIfNeeded: interruptPage >> 8) }
    set { interruptPage = (interruptPage & ~0xFF00) | UInt64(newValue) << 8 }
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(versionRequested.rawValue, at: 8)
    payload.storeLittleEndian(targetVCPU, at: 12)
    payload.storeLittleEndian(interruptPage, at: 16)
    payload.storeLittleEndian(monitorPage1, at: 24)
    payload.storeLittleEndian(monitorPage2, at: 32)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    versionRequested = ProtocolVersion(rawValue: try fields.read(at: 8))
    targetVCPU = try fields.read(at: 12)
    interruptPage = try fields.read(at: 16)
    monitorPage1 = try fields.read(at: 24)
    monitorPage2 = try fields.read(at: 32)
  }
}
