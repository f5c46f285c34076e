import Testing
import VMBusWire

@Suite struct ProtocolVersionTests {
  static let table: [(ProtocolVersion, String, UInt32)] = [
    (.ws2008, "0.13", 0x0000_000D), (.win7, "1.1", 0x0001_0001), (.win8, "2.4", 0x0002_0004),
    (.win8_1, "3.0", 0x0003_0000), (.win10, "4.0", 0x0004_0000),
    (.win10v4_1, "4.1", 0x0004_0001), (.win10v5, "5.0", 0x0005_0000),
    (.win10v5_1, "5.1", 0x0005_0001), (.win10v5_2, "5.2", 0x0005_0002),
    (.win10v5_3, "5.3", 0x0005_0003), (.win10v6, "6.0", 0x0006_0000),
  ]

  @Test(arguments: table)
  func namedVersions(version: ProtocolVersion, text: String, raw: UInt32) {
    #expect(version.rawValue == raw)
    #expect(version.description == text)
    #expect(ProtocolVersion(text) == version)
    #expect(ProtocolVersion(major: version.major, minor: version.minor) == version)
  }

  @Test func qemuCurrentIsWin10() {
    #expect(ProtocolVersion.qemuCurrent == .win10)
  }

  @Test(arguments: [
    "", "4", "4.0.1", "x.y", "70000.1", "1.70000", ".1", "1.", "-1.0", "+1.0", " 4.0", "4.0 ",
    "4,0", "0x4.0",
  ])
  func rejectsJunk(text: String) {
    #expect(ProtocolVersion(text) == nil)
  }

  @Test func parsesComponentExtremes() {
    #expect(ProtocolVersion("65535.65535")?.rawValue == 0xFFFF_FFFF)
    #expect(ProtocolVersion("00.013") == .ws2008)
  }

  @Test(
    arguments: [
      (0x0000_0000, false), (0x0000_0001, true), (0x0000_000D, true), (0x0002_0007, true),
      (0x0003_0009, true), (0x0004_0000, true), (0x0004_0001, false), (0x0005_0000, false),
      (0xFFFF_FFFF, false),
    ] as [(UInt32, Bool)])
  func qemuRangeTest(raw: UInt32, supported: Bool) {
    #expect(ProtocolVersion(rawValue: raw).isSupportedByQEMU == supported)
  }

  @Test func interruptPageOnlyBelowWin8() {
    #expect(ProtocolVersion.ws2008.usesInterruptPage)
    #expect(ProtocolVersion.win7.usesInterruptPage)
    #expect(ProtocolVersion(major: 2, minor: 3).usesInterruptPage)
    #expect(!ProtocolVersion.win8.usesInterruptPage)
    #expect(!ProtocolVersion.win10.usesInterruptPage)
  }

  @Test func componentsAreSettable() {
    var version = ProtocolVersion.win10
    version.minor = 1
    #expect(version == .win10v4_1)
    version.major = 5
    #expect(version == .win10v5_1)
    #expect(ProtocolVersion.win8 < .win8_1)
  }
}
