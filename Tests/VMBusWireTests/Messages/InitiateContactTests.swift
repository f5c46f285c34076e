import Testing
import VMBusWire

@Suite struct InitiateContactTests {
  static let bytes = Bytes.zeroed(
    40,
    [
      0: [14, 0, 0, 0], 8: [0x00, 0x00, 0x04, 0x00], 12: [3, 0, 0, 0],
      16: [0x02, 0x01, 0, 0, 0x44, 0x33, 0x22, 0x11],
      24: [0x00, 0x10, 0, 0, 0, 0, 0, 0], 32: [0x00, 0x20, 0, 0, 0, 0, 0, 0x80],
    ])
  static let message = InitiateContact(
    versionRequested: .win10, targetVCPU: 3, interruptPage: 0x1122_3344_0000_0102,
    monitorPage1: 0x1000, monitorPage2: 0x8000_0000_0000_2000)

  @Test func layoutMatchesQEMU() throws {
    #expect(InitiateContact.structSize == 40)
    #expect(InitiateContact.type == .initiateContact)
    #expect(Self.message.encoded() == Self.bytes)
    #expect(try InitiateContact(decoding: Self.bytes) == Self.message)
  }

  @Test func sintAndVTLViewTheInterruptPage() {
    var message = Self.message
    #expect(message.messageSINT == 2)
    #expect(message.messageVTL == 1)
    message.messageSINT = 0xAA
    message.messageVTL = 0xBB
    #expect(message.interruptPage == 0x1122_3344_0000_BBAA)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .initiateContact, length: 39, minimum: 40)) {
      try InitiateContact(decoding: Array(Self.bytes.prefix(39)))
    }
  }

  @Test func ignoresTrailingBytes() throws {
    #expect(try InitiateContact(decoding: Self.bytes + [1, 2, 3]) == Self.message)
  }
}
