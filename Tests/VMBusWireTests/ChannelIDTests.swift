import Testing
import VMBusWire

@Suite struct ChannelIDTests {
  @Test func describesAndOrdersByNumber() throws {
    #expect(ChannelID(3).description == "#3")
    #expect(ChannelID(rawValue: 7) == ChannelID(7))
    #expect(ChannelID(1) < ChannelID(2))
    #expect(try JSON.text(ChannelID(5)) == "5")
    #expect(try JSON.roundTrip(ChannelID(UInt32.max)) == ChannelID(UInt32.max))
  }
}
