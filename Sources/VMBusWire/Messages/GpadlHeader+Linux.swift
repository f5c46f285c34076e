extension GpadlHeader {
  /// The header Linux sends for a page-aligned GPADL of `pfns`: one range at offset 0 covering
  /// every page, carrying the first `WireLimits.maxHeaderPFNs` PFNs (counts wrap as on the wire).
  public static func pageAligned(
    childRelid: ChannelID, gpadlID: GpadlID, pfns: [UInt64]
  ) -> GpadlHeader {
    let count = UInt64(pfns.count)
    return GpadlHeader(
      childRelid: childRelid, gpadlID: gpadlID,
      rangeBufferLength: UInt16(truncatingIfNeeded: 8 &+ 8 &* count), rangeCount: 1,
      byteCount: UInt32(truncatingIfNeeded: count &* UInt64(WireLimits.pageSize)), byteOffset: 0,
      pfns: Array(pfns.prefix(WireLimits.maxHeaderPFNs)))
  }

  /// The whole sequence Linux sends for a page-aligned GPADL: the header, then bodies of up to
  /// `WireLimits.maxBodyPFNs` PFNs each with message number 0.
  public static func pageAlignedMessages(
    childRelid: ChannelID, gpadlID: GpadlID, pfns: [UInt64]
  ) -> [ChannelMessage] {
    let header = pageAligned(childRelid: childRelid, gpadlID: gpadlID, pfns: pfns)
    var messages = [ChannelMessage.gpadlHeader(header)]
    var start = header.pfns.count
    while start < pfns.count {
      let end = min(start + WireLimits.maxBodyPFNs, pfns.count)
      let body = GpadlBody(messageNumber: 0, gpadlID: gpadlID, pfns: Array(pfns[start..<end]))
      messages.append(.gpadlBody(body))
      start = end
    }
    return messages
  }
}
