import Testing
import VMBusWire

@Suite struct CloseChannelTests {
  static let bytes: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, 0x0F, 0, 0, 0x80]

  @Test func layout() throws {
    let message = CloseChannel(childRelid: ChannelID(0x8000_000F))
    #expect(CloseChannel.structSize == 12)
    #expect(message.encoded() == Self.bytes)
    #expect(try CloseChannel(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .closeChannel, length: 11, minimum: 12)) {
      try CloseChannel(decoding: Array(Self.bytes.prefix(11)))
    }
  }
}
