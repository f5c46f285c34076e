import Testing
import VMBusWire

@Suite struct GpadlBodyTests {
  static let bytes = Bytes.zeroed(
    32,
    [
      0: [9, 0, 0, 0], 8: [0xFF, 0xFF, 0xFF, 0xFF], 12: [7, 0, 0, 0], 16: [1, 0, 0, 0, 0, 0, 0, 0],
      24: [2, 0, 0, 0, 0, 0, 0, 0x40],
    ])
  static let message = GpadlBody(
    messageNumber: 0xFFFF_FFFF, gpadlID: GpadlID(7), pfns: [1, 0x4000_0000_0000_0002])

  @Test func layoutMatchesQEMU() throws {
    #expect(GpadlBody.structSize == 16)
    #expect(Self.message.encoded() == Self.bytes)
    #expect(try GpadlBody(decoding: Self.bytes) == Self.message)
  }

  @Test func twentyEightPFNsFillTheMaximumPayload() throws {
    let body = GpadlBody(gpadlID: GpadlID(1), pfns: Array(0..<UInt64(WireLimits.maxBodyPFNs)))
    #expect(body.encoded().count == WireLimits.maxPayload)
    #expect(try GpadlBody(decoding: body.encoded()) == body)
  }

  @Test(arguments: 1...7)
  func partialTrailingPFNsAreDropped(extra: Int) throws {
    let bytes = Self.bytes + [UInt8](repeating: 0xFF, count: extra)
    #expect(try GpadlBody(decoding: bytes).pfns.count == 2)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .gpadlBody, length: 15, minimum: 16)) {
      try GpadlBody(decoding: Array(Self.bytes.prefix(15)))
    }
  }
}
