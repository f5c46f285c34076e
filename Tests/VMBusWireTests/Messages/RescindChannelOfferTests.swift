import Testing
import VMBusWire

@Suite struct RescindChannelOfferTests {
  static let bytes: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0, 0x2A, 0x01, 0, 0]

  @Test func layout() throws {
    let message = RescindChannelOffer(childRelid: ChannelID(298))
    #expect(RescindChannelOffer.structSize == 12)
    #expect(message.encoded() == Self.bytes)
    #expect(try RescindChannelOffer(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .rescindChannelOffer, length: 11, minimum: 12)) {
      try RescindChannelOffer(decoding: Array(Self.bytes.prefix(11)))
    }
  }
}
