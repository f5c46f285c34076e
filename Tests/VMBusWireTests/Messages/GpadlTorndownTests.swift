import Testing
import VMBusWire

@Suite struct GpadlTorndownTests {
  static let bytes: [UInt8] = [12, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x1E, 0x0E, 0]

  @Test func layout() throws {
    let message = GpadlTorndown(gpadlID: GpadlID(0xE1E10))
    #expect(GpadlTorndown.structSize == 12)
    #expect(message.encoded() == Self.bytes)
    #expect(message.wireEncoded().count == 16)
    #expect(try GpadlTorndown(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .gpadlTorndown, length: 11, minimum: 12)) {
      try GpadlTorndown(decoding: Array(Self.bytes.prefix(11)))
    }
  }
}
