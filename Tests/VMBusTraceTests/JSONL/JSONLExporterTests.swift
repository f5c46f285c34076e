import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct JSONLExporterTests {
  @Test func theDocumentedShape() {
    var exporter = JSONLExporter()
    let line = exporter.line(
      .trace(.openChannel(chanID: ChannelID(1), gpadlID: GpadlID(925_200), targetVP: 0)))
    #expect(
      line
        == #"{"seq": 1, "name": "vmbus_open_channel", "args": {"chan_id": 1, "gpadl_id": 925200, "target_vp": 0}}"#
    )
    #expect(exporter.nextSeq == 2)
  }

  @Test(arguments: [
    (TraceEvent.signalEvent, #"{"seq": 5, "name": "vmbus_signal_event", "args": {}}"#),
    (.msgCb(status: -11), #"{"seq": 5, "name": "vmbus_msg_cb", "args": {"status": -11}}"#),
    (
      .gpadlHeader(gpadlID: GpadlID(0xFFFF_FFFF), numGfns: 65535),
      #"{"seq": 5, "name": "vmbus_gpadl_header", "args": {"gpadl_id": 4294967295, "num_gfns": 65535}}"#
    ),
    (
      .sendOffer(chanID: ChannelID(2), dev: DevicePointer(rawValue: 0x55D6_C0A1_B2C0)),
      #"{"seq": 5, "name": "vmbus_send_offer", "args": {"chan_id": 2, "dev": "0x55d6c0a1b2c0"}}"#
    ),
    (
      .sendOffer(chanID: ChannelID(2), dev: DevicePointer(rawValue: 0)),
      #"{"seq": 5, "name": "vmbus_send_offer", "args": {"chan_id": 2, "dev": null}}"#
    ),
    (
      .initiateContact(
        major: 5, minor: 3, vcpu: 0, monitorPage1: .max, monitorPage2: 0x2000, interruptPage: 0),
      #"{"seq": 5, "name": "vmbus_initiate_contact", "args": {"major": 5, "minor": 3, "vcpu": 0, "monitor_page1": 18446744073709551615, "monitor_page2": 8192, "interrupt_page": 0}}"#
    ),
  ])
  func argumentsWithQEMUsNamesAndSigns(event: TraceEvent, expected: String) {
    var exporter = JSONLExporter(firstSeq: 5)
    #expect(exporter.line(.trace(event)) == expected)
  }

  @Test func timestampFields() {
    var exporter = JSONLExporter(firstSeq: 0)
    #expect(
      exporter.line(
        .trace(.terminateOffers),
        timestamp: .log(
          .threadTimestamp(threadID: 4152, seconds: 1_591_800_412, microseconds: 4512)))
        == #"{"seq": 0, "name": "vmbus_terminate_offers", "args": {}, "tid": 4152, "sec": 1591800412, "usec": 4512, "prefix": "4152@1591800412.004512:"}"#
    )
    #expect(
      exporter.line(
        .trace(.terminateOffers),
        timestamp: .log(.iso8601(seconds: 1_753_123_408, microseconds: nil)))
        == #"{"seq": 1, "name": "vmbus_terminate_offers", "args": {}, "sec": 1753123408, "usec": 0, "prefix": "2025-07-21T18:43:28Z "}"#
    )
    #expect(
      exporter.line(
        .simulator(.tracedEventsDropped(count: 12)),
        timestamp: .simple(timestampNS: 123_456_789, pid: 4152))
        == #"{"seq": 2, "name": "sim_traced_events_dropped", "args": {"count": 12}, "timestamp_ns": 123456789, "pid": 4152}"#
    )
  }

  @Test func otherSimulatorEventsAreLeftOut() {
    var exporter = JSONLExporter()
    var bytes: [UInt8] = []
    let written = exporter.appendLine(.simulator(.machineReset), to: &bytes)
    #expect(written == false)
    #expect(bytes.isEmpty)
    #expect(exporter.nextSeq == 1)
  }

  @Test func everyPointHasOneLine() {
    var exporter = JSONLExporter()
    var bytes: [UInt8] = []
    for sample in TraceSample.all { exporter.appendLine(.trace(sample.event), to: &bytes) }
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 17)
    #expect(lines.allSatisfy { $0.hasPrefix("{\"seq\": ") && $0.hasSuffix("}}") })
  }
}
