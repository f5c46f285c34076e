import Testing
import VMBusWire

@Suite struct WireLimitsTests {
  @Test(arguments: [(0, 0), (8, 8), (12, 16), (20, 24), (148, 152), (200, 200), (236, 240)])
  func wireLengthRoundsUpToEight(structSize: Int, expected: Int) {
    #expect(WireLimits.wireLength(structSize: structSize) == expected)
  }

  @Test func pfnLimitsFillTheMaximumPayload() {
    let header = GpadlHeader.pfnOffset + 8 * WireLimits.maxHeaderPFNs
    #expect(header <= WireLimits.maxPayload)
    #expect(header + 8 > WireLimits.maxPayload)
    let body = GpadlBody.structSize + 8 * WireLimits.maxBodyPFNs
    #expect(body == WireLimits.maxPayload)
    #expect(WireLimits.maxHeaderPFNs == 26)
    #expect(WireLimits.maxBodyPFNs == 28)
    #expect(WireLimits.headerSize == 8)
    #expect(WireLimits.pageSize == 4096)
  }
}
