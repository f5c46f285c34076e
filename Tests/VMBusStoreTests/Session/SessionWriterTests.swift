import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting

@testable import VMBusStore

@Suite struct SessionWriterTests {
  @Test func snapshotsAreStoredEveryKEventsWithTheirDigest() throws {
    try withTemporaryStore { store in
      let events = BootWorkload.events(boots: 8)
      var writer = try store.beginSession(
        simulatedInfo(), options: WriterOptions(snapshotInterval: 100, batchSize: 333))
      try writer.append(contentsOf: events)
      let summary = try writer.finish()
      let rows = try store.pool.read { db in
        try Row.fetchAll(
          db, sql: "SELECT seq, state_hash FROM snapshots WHERE session_id = ? ORDER BY seq",
          arguments: [summary.id.rawValue])
      }
      let seqs = rows.map { $0["seq"] as Int }
      #expect(seqs == Array(stride(from: 100, through: events.count, by: 100)))
      for row in rows {
        let seq: Int = row["seq"]
        let folded = HostState.fold(events.prefix(seq)).state
        #expect(row["state_hash"] == folded.digest.hex)
      }
      #expect(summary.finalStateHash == HostState.fold(events).state.digest.hex)
    }
  }

  @Test func aDroppedWriterLeavesTheSessionInProgressWithItsCommittedBatches() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo(), options: WriterOptions(batchSize: 100))
      try writer.append(contentsOf: BootWorkload.events(boots: 2).prefix(250))
      let id = writer.sessionID
      _ = consume writer
      let summary = try store.session(id)
      #expect(summary.status == .inProgress)
      #expect(summary.eventCount == 200)
      #expect(summary.finalStateHash == nil)
      #expect(try store.allEvents(id).count == 200)
      #expect(try store.sessions().filter { $0.status == .inProgress }.map(\.id) == [id])
    }
  }

  @Test func aShortSessionDroppedBeforeFinishIsInProgressWithNoEvents() throws {
    try withTemporaryStore { store in
      // Fewer events than a batch: nothing but the session row is committed before `finish`.
      var writer = try store.beginSession(simulatedInfo())
      try writer.append(contentsOf: BootWorkload.events(boots: 1))
      let id = writer.sessionID
      #expect(writer.committedCount == 0)
      _ = consume writer
      let summary = try store.session(id)
      #expect(summary.status == .inProgress)
      #expect(summary.eventCount == 0)
      #expect(try store.allEvents(id).isEmpty)
    }
  }

  @Test func finishReturnsTheSessionAsItReadsBack() throws {
    try withTemporaryStore { store in
      // A fraction of a second, and metadata that `finish` overrides, removes (null) and
      // adds, with values that do not all read back as written (an integral double).
      var info = simulatedInfo()
      info.createdAt = Date(timeIntervalSince1970: 1_800_000_000.75)
      info.metadata = ["outcome": "running", "kept": 1, "removed": true, "left_null": .null]
      var writer = try store.beginSession(info)
      try writer.append(contentsOf: BootWorkload.events(boots: 1))
      let summary = try writer.finish(metadata: [
        "outcome": "passed", "removed": .null, "ratio": 2.0, "half": 0.5,
        "message": "say \"hi\" \\ é/ok\n",
      ])
      #expect(try store.session(summary.id) == summary)
      #expect(summary.info.createdAt == fixedDate)
      #expect(summary.info.metadata["removed"] == nil)
      #expect(summary.info.metadata["left_null"] == .null)
    }
  }

  @Test func finishWritesTheRestAndMarksCompleteTogether() throws {
    try withTemporaryStore { store in
      let events = BootWorkload.events(boots: 2)
      var writer = try store.beginSession(simulatedInfo(), options: WriterOptions(batchSize: 100))
      try writer.append(contentsOf: events)
      let summary = try writer.finish(metadata: ["outcome": "passed"])
      #expect(summary.status == .complete)
      #expect(summary.eventCount == events.count)
      #expect(summary.info.metadata == ["outcome": "passed"])
      #expect(try store.allEvents(summary.id).map(\.event) == events)
    }
  }

  @Test func aFailedFinishLeavesNothingMarkedComplete() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo(), options: WriterOptions(batchSize: 100))
      try writer.append(contentsOf: BootWorkload.events(boots: 1).prefix(150))
      let id = writer.sessionID
      // Another writer's row at the next seq makes the final batch fail part-way.
      try store.pool.write { db in
        try db.execute(
          sql: "INSERT INTO events (session_id, seq, name) VALUES (?, 140, 'vmbus_signal_event')",
          arguments: [id.rawValue])
      }
      do {
        try writer.finish()
        Issue.record("finish succeeded over a conflicting row")
      } catch let error as StoreError {
        guard case .sqlite(_, let code, _) = error else {
          Issue.record("unexpected \(error)")
          return
        }
        #expect(code == 19)  // SQLITE_CONSTRAINT
      } catch {
        Issue.record("unexpected \(error)")
      }
      let summary = try store.session(id)
      #expect(summary.status == .inProgress)
      #expect(summary.eventCount == 100)
      // The connection's cached statements were reset by the failure: the next session
      // stores whole.
      let events = BootWorkload.events(boots: 1)
      var next = try store.beginSession(simulatedInfo("next"))
      try next.append(contentsOf: events)
      let finished = try next.finish()
      #expect(finished.status == .complete)
      #expect(try store.allEvents(finished.id).map(\.event) == events)
    }
  }

  @Test func consecutiveSessionsEachStoreTheirOwnRows() throws {
    try withTemporaryStore { store in
      // The statements are prepared once per connection and reused by every session.
      let events = BootWorkload.events(boots: 3)
      var summaries: [SessionSummary] = []
      for count in [events.count, 7, 0, 150] {
        var writer = try store.beginSession(
          simulatedInfo("run \(count)"),
          options: WriterOptions(snapshotInterval: 64, batchSize: 100))
        try writer.append(contentsOf: events.prefix(count))
        summaries.append(try writer.finish(metadata: ["events": .integer(Int64(count))]))
      }
      #expect(try store.sessions() == summaries)
      for summary in summaries {
        let prefix = Array(events.prefix(summary.eventCount))
        #expect(try store.allEvents(summary.id).map(\.event) == prefix)
        #expect(summary.finalStateHash == HostState.fold(prefix).state.digest.hex)
        #expect(try store.verifySnapshots(session: summary.id).isEmpty)
      }
    }
  }

  @Test func failMarksTheSessionFailedWithItsReason() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo())
      try writer.append(contentsOf: BootWorkload.events(boots: 1).prefix(10))
      let id = writer.sessionID
      try writer.fail(reason: "scenario timed out")
      let summary = try store.session(id)
      #expect(summary.status == .failed)
      #expect(summary.eventCount == 10)
      #expect(summary.info.metadata["failure"] == "scenario timed out")
    }
  }

  @Test func storedEventsMustComeInOrder() throws {
    try withTemporaryStore { store in
      var writer = try store.beginSession(simulatedInfo())
      let id = writer.sessionID
      #expect(
        throws: StoreError.outOfOrder(path: store.path, session: id, expected: 1, found: 2)
      ) {
        try writer.append(contentsOf: [StoredEvent(seq: 2, event: .trace(.signalEvent))])
      }
    }
  }

  @Test func aCompleteImportIsStoredWhole() throws {
    try withTemporaryStore { store in
      let events = BootWorkload.events(boots: 3)
      let summary = try store.importSession(
        SessionInfo(
          name: "boot", kind: .imported, source: SessionSource(file: "boot.log", format: "log"),
          createdAt: fixedDate), options: WriterOptions(snapshotInterval: 64, batchSize: 50)
      ) { writer in
        try writer.append(contentsOf: events.enumerated().map { ($1, EventSource(line: $0 + 1)) })
        return ["skipped_lines": 2]
      }
      #expect(summary.status == .complete)
      #expect(summary.eventCount == events.count)
      #expect(summary.info.metadata == ["skipped_lines": 2])
      #expect(try store.allEvents(summary.id).map(\.source?.line) == events.indices.map { $0 + 1 })
      #expect(try store.verifySnapshots(session: summary.id).isEmpty)
    }
  }

  struct ParseFailure: Error, Equatable {}

  @Test func anImportThatFailsMidFileLeavesTheDatabaseAsItWas() throws {
    try withTemporaryStore { store in
      var earlier = try store.beginSession(simulatedInfo("earlier"))
      try earlier.append(contentsOf: BootWorkload.events(boots: 1))
      try earlier.finish()
      let before = try contents(store)
      let events = BootWorkload.events(boots: 4)
      #expect(throws: ParseFailure()) {
        try store.importSession(
          SessionInfo(name: "bad", kind: .imported, createdAt: fixedDate),
          options: WriterOptions(snapshotInterval: 10, batchSize: 25)
        ) { writer in
          try writer.append(contentsOf: events.prefix(300))
          throw ParseFailure()
        }
      }
      #expect(try contents(store) == before)
    }
  }

  /// Every row of every table, as text.
  private func contents(_ store: EventStore) throws -> [String] {
    try store.pool.read { db in
      try ["sessions", "events", "snapshots"].flatMap { table in
        try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map { "\(table) \($0)" }
      }
    }
  }
}
