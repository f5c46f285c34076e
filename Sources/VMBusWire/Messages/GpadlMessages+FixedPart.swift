extension GpadlHeader {
  /// The header without its PFNs, and how many whole PFNs `payload` carries after offset 28:
  /// everything QEMU's handler needs, without copying the page list.
  public static func fixedPart(of payload: [UInt8]) -> (header: GpadlHeader, pfnCount: Int)? {
    guard payload.count >= MessageType.gpadlHeader.minimumLength else { return nil }
    let reader = ByteReader(payload)
    guard let relid = reader.read(UInt32.self, at: 8), let gpadl = reader.read(UInt32.self, at: 12),
      let buflen = reader.read(UInt16.self, at: 16), let ranges = reader.read(UInt16.self, at: 18),
      let byteCount = reader.read(UInt32.self, at: 20),
      let byteOffset = reader.read(UInt32.self, at: 24)
    else { return nil }
    let header = GpadlHeader(
      childRelid: ChannelID(relid), gpadlID: GpadlID(gpadl), rangeBufferLength: buflen,
      rangeCount: ranges, byteCount: byteCount, byteOffset: byteOffset, pfns: [])
    return (header, (payload.count - pfnOffset) / 8)
  }
}

extension GpadlBody {
  /// The body without its PFNs, and how many whole PFNs `payload` carries after offset 16.
  public static func fixedPart(of payload: [UInt8]) -> (body: GpadlBody, pfnCount: Int)? {
    guard payload.count >= MessageType.gpadlBody.minimumLength else { return nil }
    let reader = ByteReader(payload)
    guard let number = reader.read(UInt32.self, at: 8), let gpadl = reader.read(UInt32.self, at: 12)
    else { return nil }
    return (
      GpadlBody(messageNumber: number, gpadlID: GpadlID(gpadl), pfns: []), (payload.count - 16) / 8
    )
  }
}
