import Testing
import VMBusWire

@Suite struct WireErrorTests {
  @Test func descriptionsNameTheTypeAndLengths() {
    let short = WireError.tooShort(type: .gpadlHeader, length: 20, minimum: 28)
    #expect(short.description == "gpadl_header: payload of 20 bytes, at least 28 needed")
    let unknown = WireError.tooShort(type: MessageType(99), length: 1, minimum: 8)
    #expect(unknown.description == "type_99: payload of 1 byte, at least 8 needed")
    let header = WireError.missingHeader(length: 3)
    #expect(header.description == "message header: payload of 3 bytes, at least 8 needed")
  }
}
