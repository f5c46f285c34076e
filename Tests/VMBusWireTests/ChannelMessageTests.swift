import Testing
import VMBusWire

@Suite struct ChannelMessageTests {
  @Test(arguments: Samples.all)
  func encodeDecodeRoundTrip(message: ChannelMessage) throws {
    let bytes = message.encoded()
    #expect(ChannelMessage.messageType(of: bytes) == message.type)
    #expect(try ChannelMessage(decoding: bytes) == message)
    #expect(try JSON.roundTrip(message) == message)
  }

  @Test(arguments: Samples.all)
  func wireEncodingIsPaddedAndDecodes(message: ChannelMessage) throws {
    let wire = message.wireEncoded()
    if case .other = message {
      #expect(wire == message.encoded())
    } else {
      #expect(wire.count % 8 == 0)
      #expect(try ChannelMessage(decoding: wire) == message)
    }
  }

  static let structSizes: [(MessageType, Int)] = [
    (.versionResponse, 12), (.offerChannel, 200), (.openChannelResult, 20), (.gpadlCreated, 20),
    (.gpadlTorndown, 12), (.gpadlHeader, 20), (.gpadlBody, 16), (.rescindChannelOffer, 12),
    (.initiateContact, 40), (.openChannel, 148), (.closeChannel, 12), (.gpadlTeardown, 16),
    (.relidReleased, 12),
  ]

  @Test(arguments: structSizes)
  func structSizesMatchQEMU(type: MessageType, size: Int) throws {
    let sizes: [MessageType: Int] = [
      VersionResponse.type: VersionResponse.structSize, OfferChannel.type: OfferChannel.structSize,
      OpenChannelResult.type: OpenChannelResult.structSize,
      GpadlCreated.type: GpadlCreated.structSize, GpadlTorndown.type: GpadlTorndown.structSize,
      GpadlHeader.type: GpadlHeader.structSize, GpadlBody.type: GpadlBody.structSize,
      RescindChannelOffer.type: RescindChannelOffer.structSize,
      InitiateContact.type: InitiateContact.structSize, OpenChannel.type: OpenChannel.structSize,
      CloseChannel.type: CloseChannel.structSize, GpadlTeardown.type: GpadlTeardown.structSize,
      RelidReleased.type: RelidReleased.structSize,
    ]
    #expect(sizes[type] == size)
    let sample = try #require(Samples.all.first { $0.type == type })
    if type != .gpadlHeader && type != .gpadlBody {
      #expect(sample.encoded().count == size)
      #expect(sample.structSize == size)
    }
  }

  static let guestToHost: [MessageType] = [
    .initiateContact, .gpadlHeader, .gpadlBody, .gpadlTeardown, .openChannel, .closeChannel,
    .relidReleased,
  ]

  @Test(arguments: guestToHost)
  func rejectsOneByteUnderTheMinimum(type: MessageType) throws {
    let minimum = type.minimumLength
    var bytes = [UInt8](repeating: 0xA5, count: minimum)
    bytes.storeLittleEndian(type.rawValue, at: 0)
    #expect(throws: WireError.tooShort(type: type, length: minimum - 1, minimum: minimum)) {
      try ChannelMessage(decoding: Array(bytes.prefix(minimum - 1)))
    }
    #expect(try ChannelMessage(decoding: bytes).type == type)
  }

  @Test(arguments: 0...7)
  func missingHeader(length: Int) {
    let bytes = Array([UInt8]([14, 0, 0, 0, 0, 0, 0, 0]).prefix(length))
    #expect(throws: WireError.missingHeader(length: length)) {
      try ChannelMessage(decoding: bytes)
    }
    #expect((ChannelMessage.messageType(of: bytes) == nil) == (length < 4))
  }

  @Test(arguments: [
    (ChannelMessage.requestOffers, UInt8(3)), (.allOffersDelivered, 4), (.unload, 16),
    (.unloadResponse, 17),
  ])
  func headerOnlyMessagesAreEightBytes(message: ChannelMessage, type: UInt8) throws {
    #expect(message.encoded() == [type, 0, 0, 0, 0, 0, 0, 0])
    #expect(try ChannelMessage(decoding: [type, 0, 0, 0, 9, 9, 9, 9, 9]) == message)
  }

  @Test(arguments: [0, 18, 19, 20, 21, 22, 23, 24, 25, 1000] as [UInt32])
  func otherTypesKeepTheRawPayload(raw: UInt32) throws {
    var bytes = [UInt8](repeating: 0x5A, count: 13)
    bytes.storeLittleEndian(raw, at: 0)
    let message = try ChannelMessage(decoding: bytes)
    #expect(message == .other(MessageType(raw), payload: bytes))
    #expect(message.type.rawValue == raw)
    #expect(message.encoded() == bytes)
  }

  @Test func otherEncodingWritesTheTypeAndPadsTheHeader() {
    let message = ChannelMessage.other(.message18, payload: [1])
    #expect(message.encoded() == [18, 0, 0, 0, 0, 0, 0, 0])
  }
}
