import Testing
import VMBusWire

@Suite struct VersionResponseTests {
  @Test func layoutMatchesQEMU() throws {
    let message = VersionResponse(versionSupported: 1, connectionState: 0)
    #expect(VersionResponse.structSize == 12)
    #expect(message.encoded() == [15, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    #expect(message.wireEncoded() == [15, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    #expect(try VersionResponse(decoding: message.encoded()) == message)
    #expect(try VersionResponse(decoding: message.wireEncoded()) == message)
  }

  @Test func readsMessageConnectionIDOnlyIfPresent() throws {
    let bytes = Bytes.zeroed(16, [0: [15], 8: [0, 7], 12: [4, 0, 0, 0]])
    let full = try VersionResponse(decoding: bytes)
    #expect(
      full == VersionResponse(versionSupported: 0, connectionState: 7, messageConnectionID: 4))
    #expect(full.encoded() == bytes)
    let short = try VersionResponse(decoding: Array(bytes.prefix(15)))
    #expect(short.messageConnectionID == 0)
  }

  @Test func rejectsShorterThanQEMUStruct() {
    #expect(throws: WireError.tooShort(type: .versionResponse, length: 11, minimum: 12)) {
      try VersionResponse(decoding: Bytes.zeroed(11, [0: [15]]))
    }
  }
}
