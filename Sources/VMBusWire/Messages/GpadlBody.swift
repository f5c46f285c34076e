/// GPADL_BODY (9), guest to host: carries further PFNs of a GPADL.
public struct GpadlBody: WireMessage {
  public static let type = MessageType.gpadlBody
  /// The struct without its flexible PFN array.
  public static let structSize = 16

  /// Sequence number (offset 8); ignored by QEMU, 0 from Linux.
  public var messageNumber: UInt32
  /// The GPADL (offset 12).
  public var gpadlID: GpadlID
  /// Page frame numbers (offset 16, u64 each).
  public var pfns: [UInt64]

  /// Creates a message from its fields.
  public init(messageNumber: UInt32 = 0, gpadlID: GpadlID, pfns: [UInt64]) {
    self.messageNumber = messageNumber
    self.gpadlID = gpadlID
    self.pfns = pfns
  }

  /// The 16-byte struct followed by all PFNs: 16 + 8n bytes.
  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.storeLittleEndian(messageNumber, at: 8)
    payload.storeLittleEndian(gpadlID.rawValue, at: 12)
    payload.reserveCapacity(Self.structSize + 8 * pfns.count)
    for pfn in pfns { payload.appendLittleEndian(pfn) }
    return payload
  }

  /// Reads the fields and as many whole PFNs as fit after offset 16.
  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    messageNumber = try fields.read(at: 8)
    gpadlID = GpadlID(try fields.read(at: 12))
    pfns = fields.reader.wholeUInt64s(from: Self.structSize)
  }
}
