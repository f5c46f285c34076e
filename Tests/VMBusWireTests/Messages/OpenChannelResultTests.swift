import Testing
import VMBusWire

@Suite struct OpenChannelResultTests {
  static let bytes: [UInt8] = [
    6, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0,
  ]

  @Test func layout() throws {
    let message = OpenChannelResult(childRelid: ChannelID(3), openID: 0x1234_5678, status: 1)
    #expect(OpenChannelResult.structSize == 20)
    #expect(message.encoded() == Self.bytes)
    #expect(message.wireEncoded().count == 24)
    #expect(try OpenChannelResult(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .openChannelResult, length: 19, minimum: 20)) {
      try OpenChannelResult(decoding: Array(Self.bytes.prefix(19)))
    }
  }
}
