import VMBusHost
import VMBusWire

/// Builds the bytes of a guest message from a scenario's spec and what the guest knows.
enum MessageBuilder {
  /// The hypercall a `MessageSpec` describes.
  /// Message bytes come from `cache` when it holds them.
  static func hypercall(_ spec: MessageSpec, kernel: GuestKernel, cache: MessageCache? = nil)
    -> Result<GuestHypercall, GuestError>
  {
    var values = FieldValues(capacity: spec.fields.count)
    for override in spec.fields {
      switch kernel.resolve(override.value) {
      case .success(let value): values.set(override.field, value)
      case .failure(let error): return .failure(error)
      }
    }
    var payload: [UInt8]
    if let raw = spec.rawPayload {
      // The 8-byte header (type, zero padding), then the scenario's bytes.
      payload = littleEndian(spec.type.rawValue) + [0, 0, 0, 0] + raw
    } else {
      switch encoded(spec.type, values, cache: cache) {
      case .success(let bytes): payload = bytes
      case .failure(let error): return .failure(error)
      }
    }
    if let cut = spec.truncateTo { payload = Array(payload.prefix(max(cut, 0))) }
    return .success(
      GuestHypercall(
        connectionID: spec.connectionID, messageType: spec.synicMessageType,
        payloadSize: spec.payloadSize ?? UInt32(clamping: payload.count), payload: payload))
  }

  private static func littleEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }

  /// The bytes of the message of `type` with `values`, from `cache` when it holds them.
  private static func encoded(_ type: MessageType, _ values: FieldValues, cache: MessageCache?)
    -> Result<[UInt8], GuestError>
  {
    // Only GPADL messages, with their page lists, cost more to build than to look up.
    let cache = type == .gpadlHeader || type == .gpadlBody ? cache : nil
    if let bytes = cache?.bytes(of: type, values) { return .success(bytes) }
    let result = message(type, values).map { $0.encoded() }
    if case .success(let bytes) = result { cache?.store(bytes, of: type, values) }
    return result
  }

  /// The message of `type` with defaults, then `values` applied.
  static func message(_ type: MessageType, _ values: FieldValues) -> Result<
    ChannelMessage, GuestError
  > {
    var failure: GuestError?
    func u32(_ field: MessageField, _ fallback: UInt32) -> UInt32 {
      guard let value = values[field] else { return fallback }
      guard let narrow = UInt32(exactly: value) else {
        failure = .valueTooLarge(field, value)
        return fallback
      }
      return narrow
    }
    func u16(_ field: MessageField, _ fallback: UInt16) -> UInt16 {
      guard let value = values[field] else { return fallback }
      guard let narrow = UInt16(exactly: value) else {
        failure = .valueTooLarge(field, value)
        return fallback
      }
      return narrow
    }
    let relid = ChannelID(u32(.childRelid, 1))
    let gpadl = GpadlID(u32(.gpadlID, 0xE1E10))
    let message: ChannelMessage
    switch type {
    case .initiateContact:
      message = .initiateContact(
        InitiateContact(
          versionRequested: ProtocolVersion(
            rawValue: u32(.versionRequested, ProtocolVersion.win10.rawValue)),
          targetVCPU: u32(.targetVCPU, 0), interruptPage: values[.interruptPage] ?? 0,
          monitorPage1: values[.monitorPage1] ?? 0, monitorPage2: values[.monitorPage2] ?? 0))
    case .openChannel:
      message = .openChannel(
        OpenChannel(
          childRelid: relid, openID: u32(.openID, relid.rawValue),
          ringBufferGpadlID: GpadlID(u32(.ringBufferGpadlID, 0xE1E10)), targetVP: u32(.targetVP, 0),
          ringBufferOffset: u32(.ringBufferOffset, 2)))
    case .closeChannel: message = .closeChannel(CloseChannel(childRelid: relid))
    case .relidReleased: message = .relidReleased(RelidReleased(childRelid: relid))
    case .gpadlTeardown: message = .gpadlTeardown(GpadlTeardown(childRelid: relid, gpadlID: gpadl))
    case .gpadlHeader:
      let pages = u32(.pages, u32(.pfnCount, 1))
      let carried = Int(u32(.pfnCount, min(pages, UInt32(WireLimits.maxHeaderPFNs))))
      message = .gpadlHeader(
        GpadlHeader(
          childRelid: relid, gpadlID: gpadl,
          rangeBufferLength: u16(.rangeBufferLength, UInt16(truncatingIfNeeded: 8 &+ 8 &* pages)),
          rangeCount: u16(.rangeCount, 1), byteCount: u32(.byteCount, pages &* WireLimits.pageSize),
          byteOffset: u32(.byteOffset, 0), pfns: pfns(for: gpadl, from: 0, count: carried)))
    case .gpadlBody:
      let count = Int(u32(.pfnCount, 1))
      message = .gpadlBody(
        GpadlBody(
          messageNumber: u32(.messageNumber, 0), gpadlID: gpadl,
          pfns: pfns(for: gpadl, from: WireLimits.maxHeaderPFNs, count: count)))
    case .requestOffers: message = .requestOffers
    case .unload: message = .unload
    default: message = .other(type, payload: [])
    }
    if let failure { return .failure(failure) }
    return .success(message)
  }

  /// Resolved field values; a handful per message, so a list beats hashing.
  struct FieldValues: Hashable, Sendable {
    private struct Entry: Hashable, Sendable {
      var field: MessageField
      var value: UInt64
    }

    private var entries: [Entry] = []

    /// Hashes the values folded into one word: cheaper than hashing each entry, and equal
    /// values still hash equal (a message cache looks these up on every post).
    func hash(into hasher: inout Hasher) {
      var folded = WordHasher()
      for entry in entries { folded.add(entry.value) }
      hasher.combine(folded.value)
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries == rhs.entries }

    init(capacity: Int = 0) {
      entries.reserveCapacity(capacity)
    }

    /// Sets a field; a later value replaces an earlier one (at most one entry per field).
    mutating func set(_ field: MessageField, _ value: UInt64) {
      if let earlier = entries.firstIndex(where: { $0.field == field }) {
        entries.remove(at: earlier)
      }
      entries.append(Entry(field: field, value: value))
    }

    subscript(field: MessageField) -> UInt64? {
      entries.last { $0.field == field }?.value
    }
  }

  /// A scenario message's page frames: the guest's layout for the GPADL, from page `first`
  /// (at most a page's worth per message).
  private static func pfns(for gpadl: GpadlID, from first: Int, count: Int) -> [UInt64] {
    (0..<min(max(count, 0), 512)).map { GuestMemoryLayout.frame(of: gpadl, page: first + $0) }
  }
}
