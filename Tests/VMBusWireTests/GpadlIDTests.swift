import Testing
import VMBusWire

@Suite struct GpadlIDTests {
  @Test func describesAndOrdersByNumber() throws {
    #expect(GpadlID(0xE1E10).description == "#925200")
    #expect(GpadlID(rawValue: 7) == GpadlID(7))
    #expect(GpadlID(9) > GpadlID(2))
    #expect(try JSON.text(GpadlID(5)) == "5")
    #expect(try JSON.roundTrip(GpadlID(42)) == GpadlID(42))
  }
}
