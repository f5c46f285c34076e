import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct JSONLDecoderTests {
  let decoder = JSONLDecoder(fileName: "t.jsonl")

  func decode(_ line: String) throws(TraceParseError) -> JSONLRecord? {
    try decoder.decode(line: Array(line.utf8), lineNumber: 3)
  }

  static let timestamps: [TraceTimestamp?] = [
    nil,
    .log(.threadTimestamp(threadID: 4152, seconds: 1_591_800_412, microseconds: 4512)),
    .log(.iso8601(seconds: 1_753_123_408, microseconds: 89797)),
    .log(.iso8601(seconds: 1_753_123_408, microseconds: nil)),
    .simple(timestampNS: 123_456_789_012, pid: 4152),
  ]

  @Test(arguments: TraceSample.all + TraceSample.extra)
  func exportThenDecodeRoundTrips(sample: TraceSample) throws {
    var exporter = JSONLExporter(firstSeq: 40)
    for timestamp in Self.timestamps {
      let exported = exporter.line(.trace(sample.event), timestamp: timestamp)
      let line = try #require(exported)
      let record = try decode(line)
      #expect(
        record
          == JSONLRecord(
            seq: exporter.nextSeq - 1, event: .trace(sample.event), timestamp: timestamp))
    }
  }

  @Test func droppedGapRoundTrips() throws {
    var exporter = JSONLExporter()
    let exported = exporter.line(.simulator(.tracedEventsDropped(count: 12)))
    let line = try #require(exported)
    #expect(
      try decode(line) == JSONLRecord(seq: 1, event: .simulator(.tracedEventsDropped(count: 12))))
  }

  @Test func keyOrderAndSpacingDoNotMatter() throws {
    let record = try decode(
      #"  {"args":{"target_vp":0,"gpadl_id":925200,"chan_id":1},"name":"vmbus_open_channel","seq":9,"extra":[1,true]} "#
    )
    #expect(
      record
        == JSONLRecord(
          seq: 9,
          event: .trace(.openChannel(chanID: ChannelID(1), gpadlID: GpadlID(925_200), targetVP: 0)))
    )
  }

  @Test func blankLinesAreNil() throws {
    #expect(try decode("") == nil)
    #expect(try decode("   ") == nil)
  }

  @Test(arguments: [
    (#"{"seq": 1,"#, "t.jsonl:3:11: error: expected a key"),
    (#"{"seq": 1.5}"#, "t.jsonl:3:9: error: only integers are supported"),
    (#"{"seq": 1} x"#, "t.jsonl:3:12: error: unexpected text after the value"),
    (#"[1]"#, "t.jsonl:3: error: expected an object"),
    (
      #"{"seq": -1, "name": "vmbus_signal_event", "args": {}}"#,
      "t.jsonl:3: error: 'seq' must be an unsigned integer"
    ),
    (#"{"seq": 1, "args": {}}"#, "t.jsonl:3: error: 'name' must be a string"),
    (#"{"seq": 1, "name": "vmbus_signal_event"}"#, "t.jsonl:3: error: 'args' must be an object"),
    (
      #"{"seq": 1, "name": "vmbus_nope", "args": {}}"#,
      "t.jsonl:3: error: unknown trace point 'vmbus_nope'"
    ),
    (
      #"{"seq": 1, "name": "vmbus_close_channel", "args": {}}"#,
      "t.jsonl:3: error: 'args' has no 'chan_id'"
    ),
    (
      #"{"seq": 1, "name": "vmbus_close_channel", "args": {"chan_id": 1, "x": 2}}"#,
      "t.jsonl:3: error: 'args' has unexpected 'x'"
    ),
    (
      #"{"seq": 1, "name": "vmbus_close_channel", "args": {"chan_id": -1}}"#,
      "t.jsonl:3: error: 'chan_id' must be an unsigned integer"
    ),
    (
      #"{"seq": 1, "name": "vmbus_close_channel", "args": {"chan_id": 4294967296}}"#,
      "t.jsonl:3: error: vmbus_close_channel: chan_id = 4294967296 does not fit uint32_t"
    ),
    (
      #"{"seq": 1, "name": "vmbus_send_offer", "args": {"chan_id": 1, "dev": 5}}"#,
      #"t.jsonl:3: error: 'dev' must be null or a "0x..." string"#
    ),
    (
      #"{"seq": 1, "name": "vmbus_msg_cb", "args": {"status": -2147483649}}"#,
      "t.jsonl:3: error: 'status' = -2147483649 does not fit int"
    ),
    (
      #"{"seq": 1, "name": "vmbus_signal_event", "args": {}, "prefix": "nope"}"#,
      "t.jsonl:3: error: 'prefix' is not a log prefix: 'nope'"
    ),
    (
      #"{"seq": 1, "name": "vmbus_signal_event", "args": {}, "tid": 5, "prefix": "4152@1.000000:"}"#,
      "t.jsonl:3: error: 'tid' does not match 'prefix' 4152@1.000000:"
    ),
    (
      #"{"seq": 1, "name": "vmbus_signal_event", "args": {}, "timestamp_ns": 5}"#,
      "t.jsonl:3: error: 'pid' must be a 32-bit unsigned integer"
    ),
  ])
  func reportsTheExactMessage(line: String, expected: String) {
    do {
      let record = try decode(line)
      Issue.record("decoded \(String(describing: record))")
    } catch {
      #expect(error.description == expected)
    }
  }
}
