import Testing
import VMBusWire

@Suite struct GUIDTests {
  static let balloonText = "525074dc-8985-46e2-8057-a307dc18a502"
  static let balloonWire = Bytes.hex("DC 74 50 52 85 89 E2 46 80 57 A3 07 DC 18 A5 02")

  @Test func hvBalloonClassToWire() throws {
    let guid = try #require(GUID("525074DC-8985-46e2-8057-A307DC18A502"))
    #expect(guid.description == Self.balloonText)
    #expect(guid.wireBytes == Self.balloonWire)
    #expect(guid.bytes == Bytes.hex("52 50 74 DC 89 85 46 E2 80 57 A3 07 DC 18 A5 02"))
    #expect(guid.high == 0x5250_74DC_8985_46E2)
    #expect(guid.low == 0x8057_A307_DC18_A502)
    #expect(GUID(wireBytes: Self.balloonWire) == guid)
  }

  @Test(arguments: [
    "525074dc-8985-46e2-8057-a307dc18a502", "525074DC-8985-46E2-8057-A307DC18A502",
    "{525074dc-8985-46e2-8057-a307dc18a502}",
  ])
  func parsesCaseAndBraces(text: String) {
    #expect(GUID(text)?.description == Self.balloonText)
  }

  @Test(arguments: [
    "", "525074dc898546e28057a307dc18a502", "525074dc-8985-46e2-8057-a307dc18a50",
    "525074dc-8985-46e2-8057-a307dc18a5022", "525074dc-8985-46e2-8057_a307dc18a502",
    "{525074dc-8985-46e2-8057-a307dc18a502", "525074dc-8985-46e2-8057-a307dc18a502}",
    "525074dg-8985-46e2-8057-a307dc18a502", "{}", "{", "525074dc-8985-46e2-8057-a307dc18a5é",
  ])
  func rejectsJunk(text: String) {
    #expect(GUID(text) == nil)
  }

  @Test(arguments: [0, 15, 17])
  func wireBytesMustBeSixteen(count: Int) {
    #expect(GUID(wireBytes: [UInt8](repeating: 1, count: count)) == nil)
    #expect(GUID(bytes: [UInt8](repeating: 1, count: count)) == nil)
  }

  @Test func zeroAndOrdering() throws {
    #expect(GUID.zero.description == "00000000-0000-0000-0000-000000000000")
    #expect(GUID.zero.wireBytes == [UInt8](repeating: 0, count: 16))
    let balloon = try #require(GUID(Self.balloonText))
    #expect(GUID.zero < balloon)
    #expect(GUID(high: 1, low: 0) > GUID(high: 0, low: .max))
  }

  @Test func codableAsText() throws {
    let guid = try #require(GUID(Self.balloonText))
    #expect(try JSON.text([guid]) == "[\"\(Self.balloonText)\"]")
    #expect(try JSON.roundTrip(guid) == guid)
    #expect(throws: (any Error).self) {
      try JSON.decode([GUID].self, from: "[\"not-a-guid\"]")
    }
  }
}
