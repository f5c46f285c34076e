import Foundation
import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct SimpleTraceWriterTests {
  static let events: [TraceEvent] = (TraceSample.all + TraceSample.extra).map(\.event)

  @Test func encoderRoundTripsEveryPoint() throws {
    var encoder = SimpleTraceEncoder(pid: 4152)
    for (index, event) in Self.events.enumerated() {
      encoder.append(event, timestampNS: UInt64(index) * 1000)
    }
    encoder.appendDropped(count: 9, timestampNS: 99_000)
    let (records, skipped) = try SimpleTraceDecoder.decode(encoder.bytes)
    #expect(skipped.isEmpty)
    #expect(records.map(\.payload) == Self.events.map { .event($0) } + [.dropped(count: 9)])
    #expect(
      records.map(\.timestampNS) == (0..<Self.events.count).map { UInt64($0) * 1000 } + [99_000])
    #expect(records.allSatisfy { $0.pid == 4152 })
  }

  @Test func headerAndMappingsAreQEMUs() {
    let bytes = SimpleTraceEncoder(pid: 1).bytes
    #expect(Array(bytes[0..<24]) == SimpleTraceBytes().bytes)
    var expected = SimpleTraceBytes()
    for (index, point) in TracePoint.allCases.enumerated() {
      expected.mapping(UInt64(index), point.name)
    }
    #expect(bytes == expected.bytes)
    #expect(TraceFormat.detect(firstBytes: bytes) == .simple)
  }

  @Test func recordsMatchTheHandBuiltLayout() {
    var encoder = SimpleTraceEncoder(pid: 77)
    _ = encoder.takeBytes()
    encoder.append(.msgCb(status: -11), timestampNS: 5)
    encoder.append(.terminateOffers, timestampNS: 6)
    var expected = SimpleTraceBytes()
    expected.event(
      SimpleTraceEncoder.eventID(of: .msgCb), timestamp: 5, pid: 77, [0xFFFF_FFFF_FFFF_FFF5])
    expected.event(SimpleTraceEncoder.eventID(of: .terminateOffers), timestamp: 6, pid: 77, [])
    #expect(encoder.bytes == Array(expected.bytes.dropFirst(24)))
  }

  @Test func hostEventsWithoutASimpleForm() {
    var encoder = SimpleTraceEncoder(pid: 1)
    let written = [
      encoder.append(.simulator(.rescheduleLost), timestampNS: 0),
      encoder.append(.simulator(.tracedEventsDropped(count: 3)), timestampNS: 0),
      encoder.append(.trace(.signalEvent), timestampNS: 0),
    ]
    #expect(written == [false, true, true])
  }

  @Test func writerAndReaderRoundTripThroughAFile() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("trace-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var writer = try SimpleTraceWriter(path: path, pid: 4152)
    let count = 20_000  // several flushes
    for index in 0..<count {
      try writer.write(Self.events[index % Self.events.count], timestampNS: UInt64(index))
      if index == 777 { try writer.writeDropped(count: 4, timestampNS: 778) }
    }
    try writer.close()
    var reader = try SimpleTraceReader(path: path, bufferSize: 100)
    var records: [SimpleTraceRecord] = []
    while let record = try reader.next() { records.append(record) }
    #expect(records.count == count + 1)
    #expect(records[778].payload == .dropped(count: 4))
    records.remove(at: 778)
    #expect(
      records.enumerated().allSatisfy {
        $0.element.payload == .event(Self.events[$0.offset % Self.events.count])
      })
    #expect(reader.skippedEventCount == 0)
  }

  @Test func readerReportsAMissingFile() {
    #expect(throws: SimpleTraceError.self) {
      _ = try SimpleTraceReader(path: "/nonexistent/trace-1")
    }
  }
}
