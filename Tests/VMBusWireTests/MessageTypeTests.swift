import Testing
import VMBusWire

@Suite struct MessageTypeTests {
  static let catalogue: [(UInt32, MessageType, String)] = [
    (0, .invalid, "INVALID"), (1, .offerChannel, "OFFERCHANNEL"),
    (2, .rescindChannelOffer, "RESCIND_CHANNELOFFER"), (3, .requestOffers, "REQUESTOFFERS"),
    (4, .allOffersDelivered, "ALLOFFERS_DELIVERED"), (5, .openChannel, "OPENCHANNEL"),
    (6, .openChannelResult, "OPENCHANNEL_RESULT"), (7, .closeChannel, "CLOSECHANNEL"),
    (8, .gpadlHeader, "GPADL_HEADER"), (9, .gpadlBody, "GPADL_BODY"),
    (10, .gpadlCreated, "GPADL_CREATED"), (11, .gpadlTeardown, "GPADL_TEARDOWN"),
    (12, .gpadlTorndown, "GPADL_TORNDOWN"), (13, .relidReleased, "RELID_RELEASED"),
    (14, .initiateContact, "INITIATE_CONTACT"), (15, .versionResponse, "VERSION_RESPONSE"),
    (16, .unload, "UNLOAD"), (17, .unloadResponse, "UNLOAD_RESPONSE"),
    (18, .message18, "CHANNELMSG_18"), (19, .message19, "CHANNELMSG_19"),
    (20, .message20, "CHANNELMSG_20"), (21, .tlConnectRequest, "TL_CONNECT_REQUEST"),
    (22, .modifyChannel, "MODIFYCHANNEL"), (23, .tlConnectResult, "TL_CONNECT_RESULT"),
    (24, .modifyChannelResponse, "MODIFYCHANNEL_RESPONSE"),
  ]

  @Test(arguments: catalogue)
  func numbersAndNames(raw: UInt32, type: MessageType, name: String) {
    #expect(type.rawValue == raw)
    #expect(type == MessageType(raw))
    #expect(type.name == name)
    #expect(type.description == "\(name) (\(raw))")
    #expect(MessageType(name: name) == type)
    #expect(MessageType(name: name.lowercased()) == type)
    #expect(MessageType(name: String(raw)) == type)
    #expect(type.isKnownToQEMU == (1...17).contains(raw))
  }

  @Test func unknownNumbersStayRepresentable() {
    let type = MessageType(rawValue: 4_000_000_000)
    #expect(type.name == "TYPE_4000000000")
    #expect(type.description == "TYPE_4000000000 (4000000000)")
    #expect(MessageType(name: "TYPE_4000000000") == type)
    #expect(!type.isKnownToQEMU)
    #expect(MessageType.qemuCount == 18)
  }

  @Test func parsesPrefixedNames() {
    #expect(MessageType(name: "VMBUS_MSG_INITIATE_CONTACT") == .initiateContact)
    #expect(MessageType(name: "channelmsg_modifychannel") == .modifyChannel)
    #expect(MessageType(name: "Initiate_Contact") == .initiateContact)
  }

  @Test(arguments: ["", "-1", "4294967296", "14x", "INITIATE CONTACT", "TYPE_", "+14", " 14"])
  func rejectsJunkNames(text: String) {
    #expect(MessageType(name: text) == nil)
  }

  static let minimums: [(MessageType, Int)] = [
    (.initiateContact, 40), (.gpadlHeader, 28), (.gpadlBody, 16), (.gpadlTeardown, 16),
    (.openChannel, 148), (.closeChannel, 12), (.requestOffers, 8), (.unload, 8),
    (.versionResponse, 16), (.offerChannel, 196), (.openChannelResult, 20),
    (.gpadlCreated, 20), (.gpadlTorndown, 12), (.rescindChannelOffer, 12),
    (.allOffersDelivered, 8), (.unloadResponse, 8), (.relidReleased, 12), (.invalid, 8),
    (.modifyChannel, 8), (MessageType(1000), 8),
  ]

  @Test(arguments: minimums)
  func minimumLengths(type: MessageType, minimum: Int) {
    #expect(type.minimumLength == minimum)
  }

  @Test func ordersAndCodesByNumber() throws {
    #expect(MessageType.offerChannel < .initiateContact)
    #expect(try JSON.text(MessageType.initiateContact) == "14")
    #expect(try JSON.roundTrip(MessageType(77)) == MessageType(77))
  }
}
