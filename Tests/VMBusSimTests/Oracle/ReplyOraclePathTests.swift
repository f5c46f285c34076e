import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// QEMU paths no bundled guest step reaches on its own: judged on the oracle value, or with
/// the host input that takes the path injected into a run.
@Suite("Reply oracle paths")
struct ReplyOraclePathTests {
  /// A message of `type` with `words` after its 8-byte header, little-endian.
  static func message(_ type: MessageType, _ words: [UInt32], length: Int? = nil) -> [UInt8] {
    var bytes: [UInt8] = []
    for word in [type.rawValue, 0] + words {
      bytes += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: word >> $0) }
    }
    let length = length ?? bytes.count
    return Array(bytes.prefix(length)) + [UInt8](repeating: 0, count: max(length - bytes.count, 0))
  }

  @Test("§9.19 range_buflen < 8 wraps num_gfns to 0xFFFFFFFF: QEMU handle_gpadl_header")
  func numGfnsWrap() {
    let header = GpadlHeader(
      childRelid: ChannelID(1), gpadlID: GpadlID(0x100), rangeBufferLength: 0, rangeCount: 1,
      byteCount: 0xFFFF_F000, byteOffset: 0, pfns: [])
    let drop = ReplyOracle.qemuDrop(header, host: HostState())
    #expect(drop?.rootCause == .gpadlHeaderNumGfnsWrap)
    #expect(drop?.text.contains("num_gfns 0xffffffff") == true)
  }

  @Test("a GPADL_HEADER QEMU creates is owed and not dropped: QEMU handle_gpadl_header")
  func wellFormedHeader() {
    let header = GpadlHeader(
      childRelid: ChannelID(1), gpadlID: GpadlID(0x100), rangeBufferLength: 40, rangeCount: 1,
      byteCount: 4 << 12, byteOffset: 0, pfns: [])
    #expect(ReplyOracle.qemuDrop(header, host: HostState()) == nil)
  }

  @Test(
    "a connected correct host facing an uninitialized QEMU it cannot explain names the handler's vmbus_initialized check"
  )
  func notInitialized() {
    var oracle = ReplyOracle()
    let contact = Self.message(.initiateContact, [0x0004_0000, 0, 0, 0, 0, 0, 0, 0])
    #expect(oracle.take(contact, host: HostState()) == .owed(dropped: nil))
    #expect(oracle.connection == .connected)
    // QEMU's state says not initialized (version 0) although nothing the oracle models
    // reset it.
    let verdict = oracle.take(Self.message(.requestOffers, []), host: HostState())
    guard case .owed(let dropped) = verdict else {
      Issue.record("verdict \(String(describing: verdict))")
      return
    }
    #expect(dropped?.rootCause == RootCause("request_offers.not_initialized"))
  }

  @Test("openvmm's Message::parse: only INITIATE_CONTACT before a contact; UNLOAD included")
  func unloadBeforeContact() {
    var oracle = ReplyOracle()
    guard case .guestError(let rule) = oracle.take(Self.message(.unload, []), host: HostState())
    else {
      Issue.record("UNLOAD before contact is owed")
      return
    }
    #expect(rule.rootCause == .requestBeforeContact)
  }

  @Test("§9.8 a short INITIATE_CONTACT is the guest's error and leaves the connection alone")
  func shortContact() {
    var oracle = ReplyOracle()
    let short = Self.message(.initiateContact, [0x0004_0000], length: 20)
    guard case .guestError(let rule) = oracle.take(short, host: HostState()) else {
      Issue.record("a 20-byte INITIATE_CONTACT is owed")
      return
    }
    #expect(rule.rootCause == .messageTooShort)
    #expect(oracle.connection == ReplyOracle.Connection.none)
  }
}
