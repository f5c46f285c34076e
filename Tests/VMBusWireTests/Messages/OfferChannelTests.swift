import Testing
import VMBusWire

@Suite struct OfferChannelTests {
  static let balloon = GUID(high: 0x5250_74DC_8985_46E2, low: 0x8057_A307_DC18_A502)
  static let instance = GUID(high: 0x0011_2233_4455_6677, low: 0x8899_AABB_CCDD_EEFF)

  /// What QEMU sends for an hv-balloon primary channel with relid 5.
  static let qemuBytes = Bytes.zeroed(
    200,
    [
      0: [1, 0, 0, 0],
      8: Bytes.hex("DC 74 50 52 85 89 E2 46 80 57 A3 07 DC 18 A5 02"),
      24: Bytes.hex("33 22 11 00 55 44 77 66 88 99 AA BB CC DD EE FF"),
      184: [5, 0, 0, 0], 190: [1, 0], 192: [21, 0, 0, 0],
    ])

  @Test func layoutMatchesQEMU() throws {
    let offer = OfferChannel(
      interfaceType: Self.balloon, interfaceInstance: Self.instance, childRelid: ChannelID(5),
      connectionID: 21)
    #expect(OfferChannel.structSize == 200)
    #expect(offer.encoded() == Self.qemuBytes)
    #expect(try OfferChannel(decoding: Self.qemuBytes) == offer)
  }

  @Test func everyFieldAtItsOffset() throws {
    var user = [UInt8](repeating: 0, count: 120)
    user[0] = 0xA1
    user[119] = 0xA2
    let bytes = Bytes.zeroed(
      200,
      [
        0: [1, 0, 0, 0], 56: [0x34, 0x12], 58: [0x78, 0x56], 60: [0xA1], 179: [0xA2],
        180: [2, 0], 184: [0xEF, 0xBE, 0xAD, 0xDE], 188: [9], 189: [1], 190: [0, 0],
        192: [0x44, 0x33, 0x22, 0x11],
      ])
    let offer = OfferChannel(
      interfaceType: .zero, interfaceInstance: .zero, channelFlags: 0x1234, mmioSizeMB: 0x5678,
      userData: user, subChannelIndex: 2, childRelid: ChannelID(0xDEAD_BEEF), monitorID: 9,
      monitorAllocated: true, dedicatedInterrupt: false, connectionID: 0x1122_3344)
    #expect(offer.encoded() == bytes)
    #expect(try OfferChannel(decoding: bytes) == offer)
  }

  @Test func decodesLinuxPackedLengthAndIgnoresReservedBits() throws {
    var bytes = Array(Self.qemuBytes.prefix(196))
    bytes[40] = 0xFF  // _reserved1
    bytes[182] = 0xFF  // _reserved3
    bytes[189] = 0xFE  // monitor_flags, bit 0 clear
    bytes[191] = 0xFF  // interrupt_flags high byte
    let offer = try OfferChannel(decoding: bytes)
    #expect(!offer.monitorAllocated)
    #expect(offer.dedicatedInterrupt)
    #expect(offer.encoded() == Self.qemuBytes)
  }

  @Test func userDataIsPaddedOrTruncated() {
    var offer = OfferChannel(
      interfaceType: .zero, interfaceInstance: .zero, userData: [1, 2], childRelid: ChannelID(1),
      connectionID: 17)
    #expect(offer.userData.count == 120)
    offer.userData = [UInt8](repeating: 7, count: 130)
    let bytes = offer.encoded()
    #expect(bytes.count == 200)
    #expect(bytes[179] == 7)
    #expect(bytes[180] == 0)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .offerChannel, length: 195, minimum: 196)) {
      try OfferChannel(decoding: Array(Self.qemuBytes.prefix(195)))
    }
  }
}
