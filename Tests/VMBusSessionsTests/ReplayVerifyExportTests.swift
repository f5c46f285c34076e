import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore

/// Replay, verify and export in process, on a stored simulated run and on an import.
@Suite struct ReplayWorkflowTests {
  @Test func everyStepsStateIsTheFoldOfTheEventsBeforeIt() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (run, session) = try storedBoot(seed: 1, snapshotInterval: 64, into: store)
      var state = HostState()
      var seq = 0
      try SessionReplayer(store: store, session: session).forEach { step in
        seq += 1
        #expect(step.seq == seq)
        #expect(step.event == run.events[seq - 1])
        _ = state.apply(step.event)
        #expect(step.state == state, "seq \(seq)")
      }
      #expect(seq == run.events.count)
      #expect(state == run.finalState)
    }
  }

  @Test func oneStepIsTheSameStepTheStreamGives() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (_, session) = try storedBoot(seed: 1, snapshotInterval: 64, into: store)
      let replayer = SessionReplayer(store: store, session: session)
      var streamed: [Int: ReplayStep] = [:]
      try replayer.forEach(EventRange(first: 100, last: 140)) { streamed[$0.seq] = $0 }
      #expect(streamed.count == 41)
      for seq in [100, 127, 128, 129, 140] {
        let step = try replayer.step(at: seq)
        #expect(step.state == streamed[seq]?.state)
        #expect(step.changes == streamed[seq]?.changes)
      }
    }
  }

  @Test func aStepBeyondTheSessionIsAUsageError() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (run, session) = try storedBoot(seed: 1, into: store)
      let error = sessionsError { () throws(SessionsError) in
        try SessionReplayer(store: store, session: session).step(at: run.events.count + 1)
      }
      #expect(error?.exitCode == 64)
      #expect("\(String(describing: error))".contains("1...\(run.events.count)"))
    }
  }
}

@Suite struct VerifyWorkflowTests {
  @Test func aStoredRunVerifiesCleanAgainstItsScenario() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (run, session) = try storedBoot(seed: 3, into: store)
      let result = try SessionVerifier(store: store, session: session).verify()
      #expect(result.events == run.events.count)
      #expect(result.findings.map(\.rule) == [])
    }
  }

  @Test func anEditedEventIsFound() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (_, session) = try storedBoot(seed: 3, into: store)
      // A different channel in one stored open: the re-run no longer matches it.
      let seq = try DatabaseQueue(path: space.databasePath).write { db in
        let seq = try Int.fetchOne(
          db, sql: "SELECT min(seq) FROM events WHERE name = 'vmbus_open_channel'")
        try db.execute(
          sql: "UPDATE events SET chan_id = 99 WHERE session_id = ? AND seq = ?",
          arguments: [session.rawValue, seq])
        return seq
      }
      let result = try SessionVerifier(store: store, session: session).verify()
      #expect(!result.findings.isEmpty)
      #expect(result.findings.contains { $0.seq == seq }, "\(result.findings)")
    }
  }

  @Test func anUnknownSessionIsMissingInput() throws {
    try Workspace.with { space in
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in
        try SessionVerifier(store: store, session: SessionID(42)).verify()
      }
      #expect(error?.exitCode == 66)
    }
  }
}

@Suite struct ExportWorkflowTests {
  @Test func anImportedLogExportsBackByteForByte() throws {
    try Workspace.with { space in
      let (_, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      // Lines QEMU's log holds besides vmbus_* events come back in place.
      var text = try space.read("run.log")
      text =
        Array("qemu-system-x86_64: warning: host doesn't support requested feature\n".utf8)
        + text + Array("kvm_irqchip_commit_routes \n".utf8)
      try space.write("run.log", text)
      let store = try space.store()
      let imported = try TraceImporter(path: log, format: nil, strict: false, name: nil)
        .run(into: store)
      let written = try SessionExporter(store: store, session: imported.session)
        .export(.qemuLog, output: space.path("back.log"))
      #expect(written == imported.events)
      #expect(try space.read("back.log") == text)
    }
  }

  @Test func anExcerptHoldsJustItsEventsAsJSONLines() throws {
    try Workspace.with { space in
      let (events, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      let store = try space.store()
      let imported = try TraceImporter(path: log, format: nil, strict: false, name: nil)
        .run(into: store)
      let written = try SessionExporter(store: store, session: imported.session)
        .export(.jsonl, EventRange(first: 10, last: 19), output: space.path("part.jsonl"))
      #expect(written == 10)
      let lines = String(decoding: try space.read("part.jsonl"), as: UTF8.self)
        .split(separator: "\n")
      #expect(lines.count == 10)
      let names = try lines.map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?["name"] as? String ?? ""
      }
      #expect(names == events.filter(\.isTracePoint)[9..<19].map(\.name))
    }
  }

  @Test func aRangeBeyondTheSessionWritesNothing() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (_, session) = try storedBoot(seed: 1, into: store)
      try space.write("keep.log", "precious\n")
      let error = sessionsError { () throws(SessionsError) in
        try SessionExporter(store: store, session: session)
          .export(.qemuLog, EventRange(first: 100_000), output: space.path("keep.log"))
      }
      #expect(error?.exitCode == 64)
      #expect(try space.read("keep.log") == Array("precious\n".utf8))
    }
  }

  @Test func theSimpleFormatNeedsAFile() throws {
    try Workspace.with { space in
      let store = try space.store()
      let (_, session) = try storedBoot(seed: 1, into: store)
      let error = sessionsError { () throws(SessionsError) in
        try SessionExporter(store: store, session: session).export(.simple, output: nil)
      }
      #expect(error?.exitCode == 64)
    }
  }
}

/// linux-boot run with `seed` and stored: a session of about 776 events.
func storedBoot(
  seed: UInt64, snapshotInterval: Int = 1024, into store: EventStore
) throws -> (SimulationRun, SessionID) {
  try ScenarioRunner(
    path: Bundled.scenario("linux-boot.yaml"), seed: seed, snapshotInterval: snapshotInterval
  ).run(into: store)
}
