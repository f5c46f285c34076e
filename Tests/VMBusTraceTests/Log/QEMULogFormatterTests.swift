import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct QEMULogFormatterTests {
  let parser = QEMULogParser(fileName: "t.log")

  @Test(arguments: TraceSample.all + TraceSample.extra)
  func bodyIsQEMUsText(sample: TraceSample) {
    #expect(QEMULogFormatter.line(sample.event, prefix: nil) == sample.body)
  }

  @Test(arguments: TraceSample.all + TraceSample.extra, SamplePrefix.allCases)
  func parseThenFormatReproducesTheLine(sample: TraceSample, prefix: SamplePrefix) throws {
    let line = prefix.text + sample.body
    guard case .event(let parsed) = try parser.parse(line: line, lineNumber: 1) else {
      Issue.record("not parsed: \(line)")
      return
    }
    #expect(QEMULogFormatter().line(for: parsed) == line)
  }

  @Test(arguments: [
    "4152@1591800412.004512:vmbus_gpadl_header gpadl #-1 gfns 65535",
    "0@0.000000:vmbus_msg_cb message status -11",
    "4294967295@9223372036854775807.999999:vmbus_close_channel channel #-2147483648",
    "2025-07-21T18:43:28.089797Z vmbus_send_offer channel #3 dev (nil)",
    "2025-07-21T18:43:28.000000Z vmbus_signal_event ",
    "1970-01-01T00:00:00Z vmbus_terminate_offers ",
    "2000-02-29T12:00:59.000001Z vmbus_open_channel channel #1 gpadl #-559038737 target vp -1",
    "9999-12-31T23:59:59.999999Z vmbus_initiate_contact version 5.3 target vp 0 mon pages 0xffffffffffffffff,0x0 int page 0x7fffffffffffffff",
    "vmbus_channel_open channel #1 status -1",
  ])
  func roundTripsEdgeLines(line: String) throws {
    guard case .event(let parsed) = try parser.parse(line: line, lineNumber: 1) else {
      Issue.record("not parsed: \(line)")
      return
    }
    #expect(QEMULogFormatter().line(for: parsed) == line)
  }

  @Test func appendsNewlineTerminatedLines() {
    var bytes: [UInt8] = []
    QEMULogFormatter.appendLine(
      .msgCb(status: 0), prefix: .threadTimestamp(threadID: 9, seconds: 3, microseconds: 7),
      to: &bytes)
    QEMULogFormatter.appendLine(.terminateOffers, prefix: nil, to: &bytes)
    #expect(
      String(decoding: bytes, as: UTF8.self)
        == "9@3.000007:vmbus_msg_cb message status 0\nvmbus_terminate_offers \n")
  }

  @Test func synthesizesThreadTimestampPrefixes() {
    let formatter = QEMULogFormatter(dialect: .threadTimestamp, threadID: 4152, vcpuThreadID: 4160)
    #expect(
      formatter.line(for: .postMsg(type: MessageType(15), size: 12), atMicroseconds: 1_004_512)
        == "4152@1.004512:vmbus_post_msg type 15 size 12")
    #expect(
      formatter.line(for: .recvMessage(type: MessageType(14), size: 40), atMicroseconds: 0)
        == "4160@0.000000:vmbus_recv_message type 14 size 40")
    let epoch = QEMULogFormatter(
      dialect: .threadTimestamp, threadID: 7, epochSeconds: 1_591_800_412)
    #expect(
      epoch.line(for: .signalEvent, atMicroseconds: 4512)
        == "7@1591800412.004512:vmbus_signal_event ")
  }

  @Test func synthesizesISO8601PrefixesLikeGlib() {
    let formatter = QEMULogFormatter(dialect: .iso8601, epochSeconds: 1_753_123_408)
    #expect(
      formatter.line(for: .signalEvent, atMicroseconds: 89797)
        == "2025-07-21T18:43:28.089797Z vmbus_signal_event ")
    // glib drops the fraction when the microseconds are exactly 0.
    #expect(
      formatter.line(for: .signalEvent, atMicroseconds: 2_000_000)
        == "2025-07-21T18:43:30Z vmbus_signal_event ")
  }

  @Test func synthesizesPlainLines() {
    let formatter = QEMULogFormatter(dialect: .plain)
    #expect(
      formatter.line(for: .closeChannel(chanID: ChannelID(4)), atMicroseconds: 99)
        == "vmbus_close_channel channel #4")
  }

  @Test func synthesizedLinesParseBack() throws {
    for dialect in LogDialect.allCases {
      let formatter = QEMULogFormatter(dialect: dialect, threadID: 12, epochSeconds: 1_700_000_000)
      for (index, sample) in (TraceSample.all + TraceSample.extra).enumerated() {
        let time = UInt64(index) * 250_001
        let line = formatter.line(for: sample.event, atMicroseconds: time)
        guard case .event(let parsed) = try parser.parse(line: line, lineNumber: 1) else {
          Issue.record("not parsed: \(line)")
          continue
        }
        #expect(parsed.event == sample.event)
        #expect(parsed.dialect == dialect)
        #expect(parsed.prefix == formatter.prefix(for: sample.event, atMicroseconds: time))
      }
    }
  }
}
