import Testing
import VMBusWire

@Suite struct GpadlCreatedTests {
  static let bytes: [UInt8] = [
    10, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x10, 0x1E, 0x0E, 0, 0, 0, 0, 0,
  ]

  @Test func layout() throws {
    let message = GpadlCreated(childRelid: ChannelID(4), gpadlID: GpadlID(0xE1E10))
    #expect(GpadlCreated.structSize == 20)
    #expect(message.status == 0)
    #expect(message.encoded() == Self.bytes)
    #expect(try GpadlCreated(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .gpadlCreated, length: 19, minimum: 20)) {
      try GpadlCreated(decoding: Array(Self.bytes.prefix(19)))
    }
  }
}
