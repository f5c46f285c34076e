import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct QEMULogParserTests {
  let parser = QEMULogParser(fileName: "t.log")

  func event(_ line: String) throws -> ParsedTraceLine {
    let result = try parser.parse(line: line, lineNumber: 7)
    guard case .event(let parsed) = result else {
      Issue.record("expected an event, got \(result)")
      throw ExpectedEvent()
    }
    return parsed
  }

  struct ExpectedEvent: Error {}

  @Test(arguments: TraceSample.all + TraceSample.extra, SamplePrefix.allCases)
  func parsesEveryPointInEveryDialect(sample: TraceSample, prefix: SamplePrefix) throws {
    let parsed = try event(prefix.text + sample.body)
    #expect(parsed.event == sample.event)
    #expect(parsed.lineNumber == 7)
    #expect((parsed.prefix?.text ?? "") == prefix.text)
  }

  @Test func coversAllSeventeenPoints() {
    #expect(Set(TraceSample.all.map(\.event.point)) == Set(TracePoint.allCases))
  }

  @Test func threadTimestampPrefixFields() throws {
    let parsed = try event("4152@1591800412.004512:vmbus_post_msg type 15 size 12")
    #expect(
      parsed.prefix == .threadTimestamp(threadID: 4152, seconds: 1_591_800_412, microseconds: 4512))
    #expect(parsed.dialect == .threadTimestamp)
    #expect(parsed.prefix?.threadID == 4152)
    #expect(parsed.prefix?.seconds == 1_591_800_412)
    #expect(parsed.prefix?.microseconds == 4512)
  }

  @Test func iso8601PrefixFields() throws {
    let parsed = try event("2025-07-21T18:43:28.089797Z vmbus_recv_message type 14 size 40")
    #expect(parsed.prefix == .iso8601(seconds: 1_753_123_408, microseconds: 89797))
    #expect(parsed.dialect == .iso8601)
    #expect(parsed.prefix?.threadID == nil)
    let whole = try event("2024-02-29T23:59:59Z vmbus_signal_event ")
    #expect(whole.prefix == .iso8601(seconds: 1_709_251_199, microseconds: nil))
    #expect(whole.prefix?.microseconds == 0)
  }

  @Test func plainLineHasNoPrefix() throws {
    let parsed = try event("vmbus_msg_cb message status 0")
    #expect(parsed.prefix == nil)
    #expect(parsed.dialect == .plain)
  }

  @Test func negativeDecimalIsTheUnsignedBitPattern() throws {
    let parsed = try event("vmbus_gpadl_header gpadl #-1 gfns 65535")
    #expect(parsed.event == .gpadlHeader(gpadlID: GpadlID(0xFFFF_FFFF), numGfns: 65535))
    #expect(parsed.event.words == [0xFFFF_FFFF, 65535])
    let vp = try event("vmbus_open_channel channel #5 gpadl #7 target vp -1")
    #expect(
      vp.event == .openChannel(chanID: ChannelID(5), gpadlID: GpadlID(7), targetVP: 0xFFFF_FFFF))
  }

  @Test func signedStatusIsSignExtended() throws {
    let parsed = try event("vmbus_msg_cb message status -6")
    #expect(parsed.event == .msgCb(status: -6))
    #expect(parsed.event.words == [0xFFFF_FFFF_FFFF_FFFA])
  }

  @Test func nilPointerIsZero() throws {
    let parsed = try event("vmbus_send_offer channel #1 dev (nil)")
    #expect(parsed.event == .sendOffer(chanID: ChannelID(1), dev: DevicePointer(rawValue: 0)))
  }

  @Test(arguments: ["vmbus_signal_event ", "vmbus_signal_event"])
  func eventsWithoutArgumentsAcceptTheTrailingSpaceOrNot(line: String) throws {
    #expect(try event(line).event == .signalEvent)
    #expect(try event("7@1.000000:" + line).event == .signalEvent)
  }

  @Test func acceptsByteCollectionsOfAnyKind() throws {
    let bytes = Array("vmbus_close_channel channel #4".utf8)
    let fromArray = try parser.parse(line: bytes, lineNumber: 1)
    let fromSlice = try parser.parse(
      line: ("xx" + "vmbus_close_channel channel #4").utf8.dropFirst(2), lineNumber: 1)
    let fromLazy = try parser.parse(line: bytes.lazy.map { $0 }, lineNumber: 1)
    let expected = LogParseResult.event(
      ParsedTraceLine(event: .closeChannel(chanID: ChannelID(4)), prefix: nil, lineNumber: 1))
    #expect(fromArray == expected)
    #expect(fromSlice == expected)
    #expect(fromLazy == expected)
  }

  @Test(arguments: [
    ("", LogSkipReason.blank),
    ("   ", .blank),
    ("hv_balloon_state_change ENABLED", .otherTracePoint(name: "hv_balloon_state_change")),
    (
      "4152@1591800412.004512:hv_balloon_map_slot slot 1",
      .otherTracePoint(name: "hv_balloon_map_slot")
    ),
    (
      "2025-07-21T18:43:28Z hv_balloon_unmap_slot ", .otherTracePoint(name: "hv_balloon_unmap_slot")
    ),
    ("vmbus: unknown message type 0x13", .notTraceOutput),
    ("unknown message type 0x13", .notTraceOutput),
    ("qemu-system-x86_64: warning: host doesn't support requested feature", .notTraceOutput),
    ("message delivery fatal failure", .notTraceOutput),
    ("4152@1591800412.004512:", .notTraceOutput),
  ])
  func skipsLinesThatAreNotVMBusEvents(line: String, reason: LogSkipReason) throws {
    #expect(try parser.parse(line: line, lineNumber: 1) == .skipped(reason))
  }

  @Test func strictModeRejectsSkippedLines() {
    let strict = QEMULogParser(fileName: "t.log", strict: true)
    #expect(
      throws: TraceParseError(
        file: "t.log", line: 5,
        kind: .notVMBusEvent(.otherTracePoint(name: "hv_balloon_state_change")))
    ) {
      try strict.parse(line: "hv_balloon_state_change ENABLED", lineNumber: 5)
    }
    let error = TraceParseError(file: "t.log", line: 6, kind: .notVMBusEvent(.blank))
    #expect(error.description == "t.log:6: error: blank line")
    #expect(throws: error) { try strict.parse(line: "", lineNumber: 6) }
  }

  @Test func countsSkippedLinesInAWholeLog() {
    let text = """
      4152@1591800412.004512:vmbus_initiate_contact version 5.0 target vp 0 mon pages 0x1000,0x2000 int page 0x0
      vmbus: unknown message type 0x13
      4152@1591800412.004530:hv_balloon_state_change ENABLED

      4152@1591800412.004531:vmbus_post_msg type 15 size 12
      4152@1591800412.004532:vmbus_open_channel channel #x gpadl #1 target vp 0
      4152@1591800412.004533:vmbus_msg_cb message status 0
      """
    var events: [ParsedTraceLine] = []
    let summary = parser.parse(bytes: Array(text.utf8)) { events.append($0) }
    #expect(summary.lineCount == 7)
    #expect(summary.eventCount == 3)
    #expect(summary.skippedCount == 3)
    #expect(summary.blankLineCount == 1)
    #expect(summary.otherTracePointCount == 1)
    #expect(summary.nonTraceLineCount == 1)
    #expect(summary.errorCount == 1)
    #expect(
      summary.errors.map(\.description) == [
        "t.log:6: error: vmbus_open_channel: expected 'channel #<n>', found 'channel #x'"
      ])
    #expect(events.map(\.lineNumber) == [1, 5, 7])
    #expect(events.map(\.event.point) == [.initiateContact, .postMsg, .msgCb])
  }

  /// QEMU killed mid-write leaves its last line cut off: an error, or skipped when allowed
  /// (and not strict), and only when it really is the last line without a newline.
  @Test func aCutOffLastLineIsSkippedOnlyWhenAllowed() {
    let cut = Array("vmbus_signal_event \nvmbus_recv_mess".utf8)
    let refused = QEMULogParser().parse(bytes: cut) { _ in }
    #expect(refused.errorCount == 1)
    #expect(refused.errors.map(\.line) == [2])
    #expect(refused.endsWithoutNewline)
    var skipped: [(Int, LogSkipReason)] = []
    let allowing = QEMULogParser(allowsCutOffLastLine: true)
    let summary = allowing.parse(bytes: cut) { _ in
    } onSkipped: { line, reason in
      skipped.append((line.number, reason))
    }
    #expect(summary.eventCount == 1)
    #expect(summary.cutOffLineCount == 1)
    #expect(summary.errorCount == 0)
    #expect(skipped.map(\.0) == [2])
    #expect(skipped.map(\.1) == [.cutOff])
    let strict = QEMULogParser(strict: true, allowsCutOffLastLine: true).parse(bytes: cut) { _ in }
    #expect(strict.errorCount == 1)
    // The same malformed line with its newline is an error.
    let whole = allowing.parse(bytes: Array("vmbus_recv_mess\n".utf8)) { _ in }
    #expect(whole.errorCount == 1)
    #expect(!whole.endsWithoutNewline)
  }
}
