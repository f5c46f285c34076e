import VMBusHost
import VMBusWire

/// Requests about GPADLs and channels: openvmm's `handle_gpadl_header`,
/// `handle_gpadl_teardown` and `handle_open_channel` against QEMU's handlers of the same
/// names (docs/qemu-reference.md §5.2, §5.5, §6.3).
extension ReplyOracle {
  /// openvmm answers every header of a connected guest, with GPADL_CREATED and a failure
  /// status when it is malformed or its id is taken; QEMU ignores those silently (§9.17-19).
  mutating func gpadlHeader(_ payload: [UInt8], host: HostState) -> RequestVerdict {
    if let error = connectionError(.gpadlHeader) { return .guestError(error) }
    guard let (header, _) = GpadlHeader.fixedPart(of: payload) else {
      return tooShort(.gpadlHeader, payload)
    }
    if let drop = notInitializedDrop(.gpadlHeaderNotInitialized, .gpadlHeader, host: host) {
      return .owed(dropped: drop)
    }
    return .owed(dropped: Self.qemuDrop(header, host: host))
  }

  /// The check of QEMU's `handle_gpadl_header` that ignores `header`, in QEMU's order, or
  /// nil when QEMU creates the GPADL.
  static func qemuDrop(_ header: GpadlHeader, host: HostState) -> Finding? {
    let pages = header.declaredPageCount
    let ignored = "QEMU ignored the GPADL_HEADER for gpadl \(header.gpadlID.rawValue)"
    let answer = "(a correct host answers: openvmm sends GPADL_CREATED with status 0x8000FFFF)"
    if header.rangeCount != 1 {
      return Finding(
        .gpadlHeaderRangeShape, "\(ignored): rangecount \(header.rangeCount), not 1 \(answer)")
    }
    if header.byteOffset != 0 {
      return Finding(
        .gpadlHeaderRangeShape,
        "\(ignored): byte_offset \(header.byteOffset), not 0 \(answer)")
    }
    if header.byteCount != pages &<< 12 {
      let needed = UInt64(header.byteCount) / 4096
      if header.byteCount % 4096 == 0, 8 + 8 * needed > UInt64(UInt16.max),
        UInt64(header.rangeBufferLength) == (8 + 8 * needed) & 0xFFFF
      {
        return Finding(
          .gpadlHeaderRangeBuflenOverflow,
          "\(ignored): byte_count \(hex(header.byteCount)) needs \(needed) PFNs, but range_buflen is a u16 and 8 + 8 * \(needed) wrapped to \(header.rangeBufferLength), so num_gfns is \(pages) \(answer)"
        )
      }
      return Finding(
        .gpadlHeaderRangeShape,
        "\(ignored): byte_count \(hex(header.byteCount)), not num_gfns \(pages) * 4096 \(answer)")
    }
    if let existing = host.gpadl(header.gpadlID) {
      return Finding(
        .gpadlHeaderDuplicateID,
        "\(ignored): a gpadl with that id already exists (state \(existing.state)) \(answer)")
    }
    if UInt32(header.rangeBufferLength) < 8 * UInt32(header.rangeCount) {
      return Finding(
        .gpadlHeaderNumGfnsWrap,
        "QEMU created gpadl \(header.gpadlID.rawValue) with num_gfns 0xffffffff: range_buflen \(header.rangeBufferLength) < 8 wrapped it, so it can never become full (a correct host answers: openvmm fails the range validation with GPADL_CREATED status 0x8000FFFF)"
      )
    }
    return nil
  }

  /// openvmm tears down only a GPADL it has (`UnknownGpadlId` otherwise); QEMU ignores an
  /// unknown or TORNDOWN id too (§9.26), so a hang is owed only when QEMU lost the GPADL.
  mutating func gpadlTeardown(_ payload: [UInt8], host: HostState) -> RequestVerdict {
    if let error = connectionError(.gpadlTeardown) { return .guestError(error) }
    guard payload.count >= MessageType.gpadlTeardown.minimumLength,
      let word = payload.littleEndianWord(at: 12)
    else { return tooShort(.gpadlTeardown, payload) }
    let id = GpadlID(word)
    let gpadls = lost?.gpadls ?? host.gpadls
    guard let gpadl = gpadls.first(where: { $0.id == id }) else {
      return .guestError(
        Finding(
          .teardownUnknownGpadl,
          "GPADL_TEARDOWN of gpadl \(id.rawValue), which does not exist (openvmm: UnknownGpadlId; a correct host sends nothing)"
        ))
    }
    if gpadl.state == .tornDown {
      return .guestError(
        Finding(
          .teardownUnknownGpadl,
          "GPADL_TEARDOWN of gpadl \(id.rawValue), which was already torn down (openvmm: UnknownGpadlId, the GPADL is gone once GPADL_TORNDOWN is sent; a correct host sends nothing)"
        ))
    }
    return .owed(
      dropped: notInitializedDrop(.gpadlTeardownNotInitialized, .gpadlTeardown, host: host))
  }

  /// openvmm opens only a channel it offered in this connection (`UnknownChannelId`) that is
  /// closed (`ChannelAlreadyOpen`); QEMU ignores an unknown relid or a channel not in INIT
  /// (§9.29, §9.30) and opens a channel never offered (§9.31).
  mutating func openChannel(_ payload: [UInt8], host: HostState) -> RequestVerdict {
    if let error = connectionError(.openChannel) { return .guestError(error) }
    guard payload.count >= MessageType.openChannel.minimumLength,
      let word = payload.littleEndianWord(at: 8)
    else { return tooShort(.openChannel, payload) }
    let relid = ChannelID(word)
    let channels = lost?.channels ?? host.channels
    guard let channel = channels.first(where: { $0.id == relid }) else {
      return .guestError(
        Finding(
          .openUnknownChannel,
          "OPENCHANNEL for relid \(relid.rawValue), which was never offered (openvmm: UnknownChannelId; a correct host sends nothing)"
        ))
    }
    guard offered.contains(relid) else {
      return .guestError(
        Finding(
          .openUnknownChannel,
          "OPENCHANNEL for relid \(relid.rawValue), which was not offered in this connection (openvmm: UnknownChannelId, ids are assigned by REQUESTOFFERS; a correct host sends nothing)"
        ))
    }
    guard channel.state == .initial else {
      let state = if case .open = channel.state { "open" } else { "opening" }
      return .guestError(
        Finding(
          .openChannelNotClosed,
          "OPENCHANNEL for relid \(relid.rawValue), which is already \(state) (openvmm: ChannelAlreadyOpen; a correct host sends nothing)"
        ))
    }
    return .owed(dropped: notInitializedDrop(.openChannelNotInitialized, .openChannel, host: host))
  }
}

private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
