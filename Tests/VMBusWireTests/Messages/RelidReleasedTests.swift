import Testing
import VMBusWire

@Suite struct RelidReleasedTests {
  static let bytes: [UInt8] = [13, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]

  @Test func layout() throws {
    let message = RelidReleased(childRelid: ChannelID(5))
    #expect(RelidReleased.structSize == 12)
    #expect(message.encoded() == Self.bytes)
    #expect(try RelidReleased(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .relidReleased, length: 11, minimum: 12)) {
      try RelidReleased(decoding: Array(Self.bytes.prefix(11)))
    }
  }
}
