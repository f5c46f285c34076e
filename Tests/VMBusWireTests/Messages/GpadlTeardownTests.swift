import Testing
import VMBusWire

@Suite struct GpadlTeardownTests {
  static let bytes: [UInt8] = [11, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x10, 0x1E, 0x0E, 0]

  @Test func layout() throws {
    let message = GpadlTeardown(childRelid: ChannelID(4), gpadlID: GpadlID(0xE1E10))
    #expect(GpadlTeardown.structSize == 16)
    #expect(message.encoded() == Self.bytes)
    #expect(try GpadlTeardown(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .gpadlTeardown, length: 15, minimum: 16)) {
      try GpadlTeardown(decoding: Array(Self.bytes.prefix(15)))
    }
  }
}
