import Testing
import VMBusWire

@Suite struct GpadlHeaderTests {
  static let bytes = Bytes.zeroed(
    44,
    [
      0: [8, 0, 0, 0], 8: [3, 0, 0, 0], 12: [0x10, 0x1E, 0x0E, 0], 16: [24, 0], 18: [1, 0],
      20: [0x00, 0x20, 0, 0], 24: [0, 0, 0, 0], 28: [0x11, 0x22, 0x33, 0, 0, 0, 0, 0],
      36: [0x44, 0x55, 0, 0, 0, 0, 0, 0x80],
    ])
  static let message = GpadlHeader(
    childRelid: ChannelID(3), gpadlID: GpadlID(0xE1E10), rangeBufferLength: 24, rangeCount: 1,
    byteCount: 8192, byteOffset: 0, pfns: [0x33_2211, 0x8000_0000_0000_5544])

  @Test func layoutMatchesQEMU() throws {
    #expect(GpadlHeader.structSize == 20)
    #expect(GpadlHeader.pfnOffset == 28)
    #expect(Self.message.encoded() == Self.bytes)
    #expect(try GpadlHeader(decoding: Self.bytes) == Self.message)
    #expect(Self.message.declaredPageCount == 2)
  }

  @Test(arguments: 0...7)
  func partialTrailingPFNsAreDropped(extra: Int) throws {
    let bytes = Self.bytes + [UInt8](repeating: 0xFF, count: extra)
    #expect(try GpadlHeader(decoding: bytes).pfns.count == 2)
  }

  @Test func noPFNsAtTheMinimum() throws {
    let header = try GpadlHeader(decoding: Array(Self.bytes.prefix(28)))
    #expect(header.pfns.isEmpty)
    #expect(header.encoded().count == 28)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .gpadlHeader, length: 27, minimum: 28)) {
      try GpadlHeader(decoding: Array(Self.bytes.prefix(27)))
    }
  }

  @Test(
    arguments: [
      (0, 1, 0xFFFF_FFFF), (7, 1, 0xFFFF_FFFF), (8, 1, 0), (15, 1, 0), (16, 1, 1), (24, 1, 2),
      (65535, 1, 8190), (0, 0, 0), (16, 2, 0), (8, 2, 0xFFFF_FFFF), (0, 65535, 0xFFFF_0001),
    ] as [(UInt16, UInt16, UInt32)])
  func declaredPageCountWrapsLikeQEMU(
    rangeBufferLength: UInt16, rangeCount: UInt16, expected: UInt32
  ) {
    let header = GpadlHeader(
      childRelid: ChannelID(1), gpadlID: GpadlID(1), rangeBufferLength: rangeBufferLength,
      rangeCount: rangeCount, byteCount: 0, byteOffset: 0, pfns: [])
    #expect(header.declaredPageCount == expected)
  }

  @Test func twentySixPFNsFillAFullPayload() throws {
    let pfns = (0..<UInt64(WireLimits.maxHeaderPFNs)).map { $0 + 100 }
    let header = GpadlHeader.pageAligned(childRelid: ChannelID(1), gpadlID: GpadlID(9), pfns: pfns)
    let bytes = header.encoded()
    #expect(bytes.count == 236)
    #expect(bytes.count <= WireLimits.maxPayload)
    #expect(try GpadlHeader(decoding: bytes) == header)
    let padded = bytes + [0, 0, 0, 0]
    #expect(padded.count == WireLimits.maxPayload)
    #expect(try GpadlHeader(decoding: padded).pfns.count == 26)
  }

  @Test func pageAlignedBuildsLikeLinux() {
    let pfns = (0..<UInt64(30)).map { $0 * 3 }
    let header = GpadlHeader.pageAligned(childRelid: ChannelID(4), gpadlID: GpadlID(7), pfns: pfns)
    #expect(header.rangeCount == 1)
    #expect(header.byteOffset == 0)
    #expect(header.byteCount == 30 * 4096)
    #expect(header.rangeBufferLength == 8 + 8 * 30)
    #expect(header.declaredPageCount == 30)
    #expect(header.pfns == Array(pfns.prefix(26)))
  }

  @Test(arguments: [(0, 0), (1, 0), (26, 0), (27, 1), (54, 1), (55, 2), (100, 3)])
  func pageAlignedMessagesSplitIntoBodies(pages: Int, bodies: Int) {
    let pfns = (0..<UInt64(pages)).map { $0 + 1 }
    let messages = GpadlHeader.pageAlignedMessages(
      childRelid: ChannelID(1), gpadlID: GpadlID(2), pfns: pfns)
    #expect(messages.count == 1 + bodies)
    var carried: [UInt64] = []
    for message in messages {
      switch message {
      case .gpadlHeader(let header): carried += header.pfns
      case .gpadlBody(let body):
        #expect(body.pfns.count <= WireLimits.maxBodyPFNs)
        #expect(body.messageNumber == 0)
        carried += body.pfns
      default: Issue.record("unexpected \(message)")
      }
      #expect(message.encoded().count <= WireLimits.maxPayload)
    }
    #expect(carried == pfns)
  }
}
