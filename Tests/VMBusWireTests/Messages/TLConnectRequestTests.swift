import Testing
import VMBusWire

/// The layout of Linux's `struct vmbus_channel_tl_connect_request` (include/linux/hyperv.h):
/// the header, then `guid_t`s as `GUID_INIT` stores them (first three fields little-endian).
@Suite struct TLConnectRequestTests {
  /// hv_sock's template `00000000-facb-11e6-bd58-64006a7986d3` after its first field, as
  /// `GUID_INIT` stores it.
  static let templateTail: [UInt8] = [
    0xCB, 0xFA, 0xE6, 0x11, 0xBD, 0x58, 0x64, 0x00, 0x6A, 0x79, 0x86, 0xD3,
  ]
  /// The header, the guest's service id for vsock port 1024, the host's for port 22.
  static let bytes: [UInt8] =
    [21, 0, 0, 0, 0, 0, 0, 0] + [0x00, 0x04, 0x00, 0x00] + templateTail + [0x16, 0, 0, 0]
    + templateTail

  @Test("hvs_connect's request: each port in its service id's first field")
  func layout() throws {
    let message = TLConnectRequest(localPort: 1024, remotePort: 22)
    #expect(TLConnectRequest.structSize == 40)
    #expect(message.encoded() == Self.bytes)
    #expect(message.hostServiceID.description == "00000016-facb-11e6-bd58-64006a7986d3")
    #expect(try TLConnectRequest(decoding: Self.bytes) == message)
  }

  @Test func rejectsOneByteShort() {
    #expect(throws: WireError.tooShort(type: .tlConnectRequest, length: 39, minimum: 40)) {
      try TLConnectRequest(decoding: Array(Self.bytes.prefix(39)))
    }
  }
}
