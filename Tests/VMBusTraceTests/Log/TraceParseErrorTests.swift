import Testing
import VMBusHost
import VMBusTrace

@Suite struct TraceParseErrorTests {
  let parser = QEMULogParser(fileName: "trace.log")

  func message(_ line: String, lineNumber: Int = 41) -> String? {
    do {
      let result = try parser.parse(line: line, lineNumber: lineNumber)
      Issue.record("expected an error, got \(result)")
      return nil
    } catch {
      return error.description
    }
  }

  @Test(arguments: [
    // Unknown vmbus_ names.
    (
      "vmbus_open_chanel channel #1 gpadl #1 target vp 0",
      "unknown trace point 'vmbus_open_chanel'"
    ),
    ("4152@1591800412.004512:vmbus_", "unknown trace point 'vmbus_'"),
    // Wrong shapes: the format segment and as many words of input.
    (
      "vmbus_open_channel channel #x gpadl #1 target vp 0",
      "vmbus_open_channel: expected 'channel #<n>', found 'channel #x'"
    ),
    (
      "vmbus_open_channel channel #1x gpadl #1 target vp 0",
      "vmbus_open_channel: expected 'channel #<n>', found 'channel #1x'"
    ),
    (
      "vmbus_open_channel channel #1 gpadl 5 target vp 0",
      "vmbus_open_channel: expected 'gpadl #<n>', found 'gpadl 5'"
    ),
    (
      "vmbus_open_channel channel #1 gpadl #5 target cpu 0",
      "vmbus_open_channel: expected 'target vp <n>', found 'target cpu 0'"
    ),
    ("vmbus_post_msg type 15", "vmbus_post_msg: expected 'size <n>', found end of line"),
    ("vmbus_post_msg", "vmbus_post_msg: expected 'type <n>', found end of line"),
    ("vmbus_post_msg type 15 size", "vmbus_post_msg: expected 'size <n>', found 'size'"),
    (
      "vmbus_close_channel channel #007",
      "vmbus_close_channel: expected 'channel #<n>', found 'channel #007'"
    ),
    (
      "vmbus_close_channel channel #-0",
      "vmbus_close_channel: expected 'channel #<n>', found 'channel #-0'"
    ),
    (
      "vmbus_close_channel channel #+3",
      "vmbus_close_channel: expected 'channel #<n>', found 'channel #+3'"
    ),
    (
      "vmbus_send_offer channel #1 dev 0x0",
      "vmbus_send_offer: expected 'dev <ptr>', found 'dev 0x0'"
    ),
    (
      "vmbus_send_offer channel #1 dev 55d6",
      "vmbus_send_offer: expected 'dev <ptr>', found 'dev 55d6'"
    ),
    (
      "vmbus_send_offer channel #1 dev NULL",
      "vmbus_send_offer: expected 'dev <ptr>', found 'dev NULL'"
    ),
    (
      "vmbus_initiate_contact version 4.x target vp 0 mon pages 0x1,0x2 int page 0x0",
      "vmbus_initiate_contact: expected 'version <n>.<n>', found 'version 4.x'"
    ),
    (
      "vmbus_initiate_contact version 4.1 target vp 0 mon pages 0xABC,0x2 int page 0x0",
      "vmbus_initiate_contact: expected 'mon pages 0x<hex>,0x<hex>', found 'mon pages 0xABC,0x2'"
    ),
    (
      "vmbus_initiate_contact version 4.1 target vp 0 mon pages 0x1,0x02 int page 0x0",
      "vmbus_initiate_contact: expected 'mon pages 0x<hex>,0x<hex>', found 'mon pages 0x1,0x02'"
    ),
    // Text after the arguments.
    (
      "vmbus_close_channel channel #3 extra",
      "vmbus_close_channel: unexpected ' extra' after the arguments"
    ),
    ("vmbus_close_channel channel #3 ", "vmbus_close_channel: unexpected ' ' after the arguments"),
    ("vmbus_signal_event x", "vmbus_signal_event: unexpected 'x' after the arguments"),
    ("vmbus_terminate_offers  ", "vmbus_terminate_offers: unexpected ' ' after the arguments"),
    // Values the C type and conversion cannot print.
    (
      "vmbus_gpadl_header gpadl #1 gfns 65536",
      "vmbus_gpadl_header: num_gfns = 65536 is out of range (0...65535)"
    ),
    (
      "vmbus_gpadl_header gpadl #1 gfns -1",
      "vmbus_gpadl_header: num_gfns = -1 is out of range (0...65535)"
    ),
    (
      "vmbus_close_channel channel #2147483648",
      "vmbus_close_channel: chan_id = 2147483648 is out of range (-2147483648...2147483647)"
    ),
    (
      "vmbus_close_channel channel #-2147483649",
      "vmbus_close_channel: chan_id = -2147483649 is out of range (-2147483648...2147483647)"
    ),
    (
      "vmbus_msg_cb message status 99999999999999999999999",
      "vmbus_msg_cb: status = 99999999999999999999999 is out of range (-2147483648...2147483647)"
    ),
    (
      "vmbus_initiate_contact version 4.1 target vp 0 mon pages 0x10000000000000000,0x2 int page 0x0",
      "vmbus_initiate_contact: monitor_page1 = 10000000000000000 is out of range (0...ffffffffffffffff)"
    ),
    (
      "vmbus_send_offer channel #1 dev 0x10000000000000000",
      "vmbus_send_offer: dev = 0x10000000000000000 is out of range (0...ffffffffffffffff)"
    ),
    // Prefixes that are almost right.
    (
      "4152@1591800412.4512:vmbus_post_msg type 15 size 12",
      "malformed timestamp prefix '4152@1591800412.4512:'"
    ),
    (
      "04152@1591800412.004512:vmbus_post_msg type 15 size 12",
      "malformed timestamp prefix '04152@1591800412.004512:'"
    ),
    (
      "4152@1591800412.004512: vmbus_post_msg type 15 size 12",
      "malformed timestamp prefix '4152@1591800412.004512: '"
    ),
    (
      "2025-02-30T00:00:00Z vmbus_signal_event ",
      "malformed timestamp prefix '2025-02-30T00:00:00Z '"
    ),
    (
      "2025-07-21T18:43:28.0897Z vmbus_signal_event ",
      "malformed timestamp prefix '2025-07-21T18:43:28.0897Z '"
    ),
    (
      "2025-07-21 18:43:28Z vmbus_signal_event ",
      "malformed timestamp prefix '2025-07-21 18:43:28Z '"
    ),
  ])
  func reportsTheExactMessage(line: String, expected: String) {
    #expect(message(line) == "trace.log:41: error: " + expected)
  }

  @Test func carriesTheArgumentThatFailed() {
    #expect(
      throws: TraceParseError(
        file: "trace.log", line: 3,
        kind: .wrongShape(
          point: .openChannel, argument: "gpadl_id", expected: "gpadl #<n>", found: "gpadl 5"))
    ) {
      try parser.parse(line: "vmbus_open_channel channel #1 gpadl 5 target vp 0", lineNumber: 3)
    }
    #expect(
      throws: TraceParseError(
        file: "trace.log", line: 3,
        kind: .wrongShape(
          point: .initiateContact, argument: "minor", expected: "version <n>.<n>",
          found: "version 4.x"))
    ) {
      try parser.parse(
        line: "vmbus_initiate_contact version 4.x target vp 0 mon pages 0x1,0x2 int page 0x0",
        lineNumber: 3)
    }
    #expect(
      throws: TraceParseError(
        file: "trace.log", line: 3,
        kind: .wrongShape(
          point: .openChannel, argument: "chan_id", expected: "channel #<n>", found: "channel #1x"))
    ) {
      try parser.parse(line: "vmbus_open_channel channel #1x gpadl #1 target vp 0", lineNumber: 3)
    }
    #expect(
      throws: TraceParseError(
        file: "trace.log", line: 3,
        kind: .outOfRange(
          point: .gpadlHeader, argument: "num_gfns", value: "70000", range: "0...65535"))
    ) {
      try parser.parse(line: "vmbus_gpadl_header gpadl #1 gfns 70000", lineNumber: 3)
    }
  }

  @Test func overlongLinesAreReportedByTheImporter() {
    var splitter = LogLineSplitter(maxLineLength: 40)
    splitter.append(Array(("vmbus_open_channel channel #1 gpadl #2 target vp 3" + "\n").utf8))
    splitter.append(
      Array(("hv_balloon_state_change " + String(repeating: "x", count: 60) + "\n").utf8))
    splitter.finish()
    var summary = LogImportSummary()
    while let line = splitter.nextLine() {
      parser.consume(line, into: &summary) { _ in Issue.record("no event expected") }
    }
    #expect(summary.lineCount == 2)
    #expect(summary.otherTracePointCount == 1)
    #expect(summary.errors.map(\.description) == ["trace.log:1: error: line longer than 40 bytes"])
  }
}
