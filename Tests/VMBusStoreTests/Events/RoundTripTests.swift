import Testing
import VMBusHost
import VMBusTesting

@testable import VMBusStore

@Suite struct RoundTripTests {
  @Test func samplesCoverEveryTracePointAndSimulatorCase() {
    #expect(EventSamples.traces.map(\.point) == TracePoint.allCases)
    #expect(Set(EventSamples.simulator.map(\.name)).count == 12)
  }

  @Test func columnTablesMatchTracePoints() {
    for (index, point) in TracePoint.allCases.enumerated() {
      #expect(point.ordinal == index)
      #expect(EventColumns.slots[index].count == point.parameters.count)
      for (slot, parameter) in zip(EventColumns.slots[index], point.parameters) {
        #expect(EventColumns.arguments[Int(slot)] == parameter.name, "\(point)")
      }
    }
  }

  @Test func theSchemaInsertSelectAndCodecIndicesAgree() throws {
    try withTemporaryStore { store in
      let table = try store.pool.read { db in
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('events') ORDER BY cid")
      }
      #expect(table == EventColumns.insertColumns)
    }
    #expect(
      EventRowEncoder.insertSQL
        == "INSERT INTO events (\(EventColumns.insertColumns.joined(separator: ", "))) VALUES ("
        + (1...EventColumns.insertColumns.count).map { "?\($0)" }.joined(separator: ", ") + ")")
    for (index, column) in EventColumns.insertColumns.enumerated() {
      #expect(EventColumns.bindIndex(column) == Int32(index + 1), "\(column)")
      if index > 0 { #expect(EventColumns.readIndex(column) == Int32(index - 1), "\(column)") }
    }
    let encoder = [
      EventRowEncoder.session, EventRowEncoder.seq, EventRowEncoder.name,
      EventRowEncoder.firstArgument, EventRowEncoder.sim, EventRowEncoder.tsText,
      EventRowEncoder.tsNanos, EventRowEncoder.threadID, EventRowEncoder.line,
      EventRowEncoder.offset,
    ]
    #expect(encoder == [1, 2, 3, 4, 19, 20, 21, 22, 23, 24])
    let decoder = [
      EventRowDecoder.seq, EventRowDecoder.name, EventRowDecoder.firstArgument,
      EventRowDecoder.sim, EventRowDecoder.tsText, EventRowDecoder.tsNanos,
      EventRowDecoder.threadID, EventRowDecoder.line, EventRowDecoder.offset,
    ]
    #expect(decoder == [0, 1, 2, 17, 18, 19, 20, 21, 22])
  }

  @Test func aRowWithEveryColumnSetReadsBack() throws {
    // The trace point with the most arguments and a simulator event, each with every source
    // column set to a value no other column holds.
    let widest = try #require(
      EventSamples.traces.max { $0.point.parameters.count < $1.point.parameters.count })
    let source = EventSource(
      tsText: "4242@1700000000.999999:", tsNanos: 1_700_000_000_999_999_000, threadID: 4242,
      line: 77, offset: 9_999)
    let stored = [
      StoredEvent(seq: 1, event: .trace(widest), source: source),
      StoredEvent(
        seq: 2, event: .simulator(try #require(EventSamples.simulator.first)), source: source),
    ]
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo())
      try writer.append(contentsOf: stored)
      let summary = try writer.finish()
      #expect(try store.allEvents(summary.id) == stored)
      let nulls = try store.pool.read { db in
        try Int.fetchOne(
          db,
          sql: "SELECT count(*) FROM events WHERE seq = 1 AND "
            + "(ts_text IS NULL OR ts_ns IS NULL OR thread_id IS NULL OR source_line IS NULL "
            + "OR source_offset IS NULL OR sim IS NOT NULL)")
      }
      #expect(nulls == 0)
    }
  }

  @Test func everyEventKindRoundTripsWithAndWithoutSource() throws {
    try withTemporaryStore { store in
      var stored: [StoredEvent] = []
      for (index, event) in EventSamples.all.enumerated() {
        let source =
          index.isMultiple(of: 2)
          ? EventSource(
            tsText: "1234@1700000000.123456:", tsNanos: 1_700_000_000_123_456_000,
            threadID: 1234, line: index + 1, offset: Int64(index * 80))
          : nil
        stored.append(StoredEvent(seq: index + 1, event: event, source: source))
      }
      var writer = try store.beginSession(simulatedInfo(), options: WriterOptions(batchSize: 7))
      try writer.append(contentsOf: stored)
      let summary = try writer.finish()
      #expect(summary.eventCount == stored.count)
      #expect(try store.allEvents(summary.id) == stored)
    }
  }

  @Test func eventsHonourTheirRange() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo())
      try writer.append(contentsOf: EventSamples.all)
      let id = try writer.finish().id
      var seqs: [Int] = []
      try store.events(session: id, from: 5, to: 9) { seqs.append($0.seq) }
      #expect(seqs == [5, 6, 7, 8, 9])
      #expect(throws: StoreError.sessionNotFound(path: store.path, session: SessionID(99))) {
        try store.events(session: SessionID(99)) { _ in }
      }
    }
  }

  @Test func sessionInfoRoundTrips() throws {
    try withTemporaryStore { store in
      let info = SessionInfo(
        name: "boot.log", kind: .imported,
        source: SessionSource(file: "/tmp/boot.log", format: "log"),
        scenarioText: nil, seed: UInt64.max, createdAt: fixedDate,
        metadata: ["skipped_lines": 3, "note": "x", "ratio": 0.5, "ok": true])
      let writer = try store.beginSession(info)
      let id = writer.sessionID
      let summary = try store.session(id)
      #expect(summary.info == info)
      #expect(summary.status == .inProgress)
      #expect(summary.eventCount == 0)
      #expect(summary.finalStateHash == nil)
      _ = consume writer
    }
  }
}
