import Testing
import VMBusWire

@Suite struct OpenChannelTests {
  static let bytes = Bytes.zeroed(
    148,
    [
      0: [5, 0, 0, 0], 8: [1, 0, 0, 0], 12: [1, 0, 0, 0], 16: [0x10, 0x1E, 0x0E, 0],
      20: [2, 0, 0, 0], 24: [0x20, 0, 0, 0], 28: [0xC0], 147: [0xC1],
    ])

  static let message: OpenChannel = {
    var user = [UInt8](repeating: 0, count: 120)
    user[0] = 0xC0
    user[119] = 0xC1
    return OpenChannel(
      childRelid: ChannelID(1), openID: 1, ringBufferGpadlID: GpadlID(0xE1E10), targetVP: 2,
      ringBufferOffset: 0x20, userData: user)
  }()

  @Test func layoutMatchesQEMU() throws {
    #expect(OpenChannel.structSize == 148)
    #expect(Self.message.encoded() == Self.bytes)
    #expect(try OpenChannel(decoding: Self.bytes) == Self.message)
  }

  @Test func defaultUserDataIsZero() {
    let message = OpenChannel(
      childRelid: ChannelID(1), openID: 1, ringBufferGpadlID: GpadlID(1), targetVP: 0,
      ringBufferOffset: 1)
    #expect(message.userData == [UInt8](repeating: 0, count: 120))
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .openChannel, length: 147, minimum: 148)) {
      try OpenChannel(decoding: Array(Self.bytes.prefix(147)))
    }
  }
}
