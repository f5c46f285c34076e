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
      #expect(EventColumns.ordinal(point) == index)
      #expect(EventColumns.slots[index].count == point.parameters.count)
      #expect(EventColumns.slots[index].allSatisfy { $0 >= 0 })
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
