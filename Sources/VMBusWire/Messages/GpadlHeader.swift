/// GPADL_HEADER (8), guest to host: starts a GPADL with its range descriptor and first PFNs.
public struct GpadlHeader: WireMessage {
  public static let type = MessageType.gpadlHeader
  /// The packed struct without its range array, as QEMU's `sizeof` gives it.
  public static let structSize = 20
  /// Offset of `range[0].pfn_array`: the struct plus one range descriptor.
  public static let pfnOffset = 28

  /// The channel the GPADL is for (offset 8); never validated by QEMU.
  public var childRelid: ChannelID
  /// The guest-chosen GPADL id (offset 12).
  public var gpadlID: GpadlID
  /// Bytes of range descriptors plus all their PFNs (offset 16).
  public var rangeBufferLength: UInt16
  /// Number of ranges (offset 18); QEMU accepts only 1.
  public var rangeCount: UInt16
  /// `range[0].byte_count` (offset 20).
  public var byteCount: UInt32
  /// `range[0].byte_offset` (offset 24); QEMU accepts only 0.
  public var byteOffset: UInt32
  /// The PFNs this message carries (offset 28, u64 each).
  public var pfns: [UInt64]

  /// Creates a message from its fields.
  public init(
    childRelid: ChannelID, gpadlID: GpadlID, rangeBufferLength: UInt16, rangeCount: UInt16,
    byteCount: UInt32, byteOffset: UInt32, pfns: [UInt64]
  ) {
    self.childRelid = childRelid
    self.gpadlID = gpadlID
    self.rangeBufferLength = rangeBufferLength
    self.rangeCount = rangeCount
    self.byteCount = byteCount
    self.byteOffset = byteOffset
    self.pfns = pfns
  }

  /// QEMU's `num_gfns`: `(range_buflen - rangecount * 8) / 8` in size_t, truncated to u32.
  public var declaredPageCount: UInt32 {
    let descriptors = UInt64(rangeCount) &* 8
    return UInt32(truncatingIfNeeded: (UInt64(rangeBufferLength) &- descriptors) / 8)
  }

  /// The 28-byte struct with one range, followed by all PFNs: 28 + 8n bytes.
  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload(count: Self.pfnOffset)
    payload.storeLittleEndian(childRelid.rawValue, at: 8)
    payload.storeLittleEndian(gpadlID.rawValue, at: 12)
    payload.storeLittleEndian(rangeBufferLength, at: 16)
    payload.storeLittleEndian(rangeCount, at: 18)
    payload.storeLittleEndian(byteCount, at: 20)
    payload.storeLittleEndian(byteOffset, at: 24)
    payload.reserveCapacity(Self.pfnOffset + 8 * pfns.count)
    for pfn in pfns { payload.appendLittleEndian(pfn) }
    return payload
  }

  /// Reads the fields and as many whole PFNs as fit after offset 28.
  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type)
    childRelid = ChannelID(try fields.read(at: 8))
    gpadlID = GpadlID(try fields.read(at: 12))
    rangeBufferLength = try fields.read(at: 16)
    rangeCount = try fields.read(at: 18)
    byteCount = try fields.read(at: 20)
    byteOffset = try fields.read(at: 24)
    pfns = fields.reader.wholeUInt64s(from: Self.pfnOffset)
  }
}
