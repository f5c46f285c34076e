import Foundation
import Testing
import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// `TraceImporter` with a destination: a live-migrated VM's two QEMU traces as one session,
/// checked against the simulated run they were written from.
@Suite struct MigratedImportWorkflowTests {
  /// The bundled migration scenario, run and stored, with its two QEMU logs: the events
  /// before `sim_migrated` (`src.log`) and after it (`dst.log`).
  struct MigratedRun {
    var events: [HostEvent]
    /// The index of `sim_migrated` in `events`.
    var migration: Int
    var source: String
    var destination: String
  }

  static func migratedRun(
    in space: Workspace, dialect: ExportDialect = .original,
    destinationFormat: ExportFormat = .qemuLog
  ) throws -> MigratedRun {
    let store = try space.store("run.sqlite")
    let (run, session) = try ScenarioRunner(
      path: Bundled.scenario("qemu-migration.yaml"), seed: 0
    ).run(into: store)
    let migration = try #require(
      run.events.firstIndex {
        if case .simulator(.migrated) = $0 { true } else { false }
      })
    let exporter = SessionExporter(store: store, session: session)
    let source = space.path("src.log")
    let destination = space.path(destinationFormat == .simple ? "dst.trace" : "dst.log")
    try exporter.export(
      .qemuLog, dialect: dialect, EventRange(first: 1, last: migration), output: source)
    try exporter.export(
      destinationFormat, dialect: dialect, EventRange(first: migration + 2),
      output: destination)
    return MigratedRun(
      events: run.events, migration: migration, source: source, destination: destination)
  }

  static func importer(_ run: MigratedRun) -> TraceImporter {
    var importer = TraceImporter(path: run.source, format: nil, strict: false, name: nil)
    importer.destinationPath = run.destination
    return importer
  }

  /// What a QEMU log of the run shows: its trace points, and the migration between them.
  static func traced(_ events: [HostEvent]) -> [HostEvent] {
    events.filter {
      switch $0 {
      case .trace, .simulator(.migrated): true
      case .simulator: false
      }
    }
  }

  @Test func twoLogsOfTheBundledMigrationImportAsTheRunsTracePointsAroundOneMigration() throws {
    try Workspace.with { space in
      let run = try Self.migratedRun(in: space)
      let store = try space.store()
      let summary = try Self.importer(run).run(into: store)
      var imported: [StoredEvent] = []
      try store.events(session: summary.session) { imported.append($0) }

      // Event by event: the same names and arguments as the simulation's trace points.
      let expected = Self.traced(run.events)
      #expect(imported.count == expected.count)
      #expect(summary.sessionEvents == expected.count)
      let boundary = try #require(expected.firstIndex { $0.name == SimulatorEvent.migratedName })
      for (index, (stored, event)) in zip(imported, expected).enumerated()
      where index != boundary {
        #expect(stored.event == event, "seq \(stored.seq)")
      }
      // The boundary carries what the source's bare fold saves. A QEMU log does not trace
      // a GPADL header's child_relid, which the simulation folded from the payload: without
      // it, the simulated source saves the same image.
      guard case .simulator(.migrated(let saved)) = imported[boundary].event,
        case .simulator(.migrated(let simulated)) = run.events[run.migration]
      else {
        Issue.record("no sim_migrated at \(boundary + 1): \(imported[boundary].event)")
        return
      }
      let bare = HostState.fold(imported.prefix(boundary).map(\.event)).state
      #expect(saved == bare.migrationDigest.finalized)
      var image = MigrationImage(
        saving: HostState.fold(run.events.prefix(run.migration)).state)
      #expect(saved != simulated || image.gpadls.allSatisfy { $0.childRelid == nil })
      for index in image.gpadls.indices { image.gpadls[index].childRelid = nil }
      #expect(saved == image.digest.finalized)

      // State by state: the store's states are the fold of those events, the final digest
      // too, and nothing breaks a rule (the saved state matches, the load folds).
      var state = HostState()
      try SessionReplayer(store: store, session: summary.session).forEach { step in
        let violations = state.apply(step.event)
        #expect(step.state == state, "seq \(step.seq)")
        #expect(violations.isEmpty, "seq \(step.seq): \(violations)")
      }
      let session = try store.session(summary.session)
      #expect(session.finalStateHash == state.digest.hex)
      #expect(try store.verifySnapshots(session: summary.session) == [])
      let report = try SessionVerifier(store: store, session: summary.session).verify()
      #expect(report.findings.map(\.rule) == [])
      // Up to the boundary, the same states as an import of the source's log alone.
      let alone = try TraceImporter(path: run.source, format: nil, strict: false, name: nil)
        .run(into: store)
      for seq in [1, boundary / 2, boundary] {
        #expect(
          try store.state(session: alone.session, at: seq)
            == store.state(session: summary.session, at: seq))
      }

      // The metadata says where the destination's part came from and where it begins.
      let metadata = session.info.metadata
      #expect(metadata["destination:file"] == .string(run.destination))
      #expect(metadata["destination:format"] == .string("log"))
      #expect(metadata["destination:first_seq"] == .integer(Int64(boundary + 2)))
      #expect(metadata["destination:lines"] == .integer(Int64(expected.count - boundary - 1)))
      #expect(metadata["lines"] == .integer(Int64(boundary)))
      #expect(session.info.source?.file == run.source)
    }
  }

  @Test(arguments: [ExportDialect.original, .thread])
  func eachPartExportsAsItsFileLineByLine(dialect: ExportDialect) throws {
    try Workspace.with { space in
      let run = try Self.migratedRun(in: space, dialect: dialect)
      // Lines the import skips, in the destination's log, and no final newline.
      var destination = try space.read("dst.log")
      destination.insert(contentsOf: Array("\nhv_balloon_status_report 1\n".utf8), at: 0)
      destination.append(contentsOf: Array("qemu-system-x86_64: terminating on signal 15".utf8))
      try space.write("dst.log", destination)
      let store = try space.store()
      let summary = try Self.importer(run).run(into: store)
      #expect(summary.destination?.skipped == 3)
      let exporter = SessionExporter(store: store, session: summary.session)
      for (part, name) in [(SessionPart.source, "src.log"), (.destination, "dst.log")] {
        let out = "\(part.rawValue).out"
        try exporter.export(.qemuLog, part: part, output: space.path(out))
        let written = try space.read(out).split(separator: 0x0A, omittingEmptySubsequences: false)
        let original = try space.read(name).split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(written.count == original.count, "\(part)")
        for (number, (line, expected)) in zip(written, original).enumerated() {
          #expect(Array(line) == Array(expected), "\(name):\(number + 1)")
        }
        #expect(try space.read(out) == space.read(name))
      }
      // The whole session: both files one after the other, the boundary left out.
      try exporter.export(.qemuLog, output: space.path("whole.out"))
      #expect(try space.read("whole.out") == space.read("src.log") + space.read("dst.log"))
      // Excerpts of one part put together are its file.
      let layout = try MigratedSession(store.session(summary.session), path: store.path)
      let first = try #require(layout).destination.seqs
      try exporter.export(
        .qemuLog, EventRange(first: 1, last: first.lowerBound + 9), part: .destination,
        output: space.path("a.out"))
      try exporter.export(
        .qemuLog, EventRange(first: first.lowerBound + 10), part: .destination,
        output: space.path("b.out"))
      #expect(try space.read("a.out") + space.read("b.out") == space.read("dst.log"))
    }
  }

  @Test func aSimpleTraceDestinationFollowsALogSource() throws {
    try Workspace.with { space in
      let run = try Self.migratedRun(in: space, dialect: .thread, destinationFormat: .simple)
      let store = try space.store()
      let summary = try Self.importer(run).run(into: store)
      #expect(summary.format == .log)
      #expect(summary.destination?.format == .simple)
      var imported: [HostEvent] = []
      try store.events(session: summary.session) { imported.append($0.event) }
      let expected = Self.traced(run.events)
      #expect(imported.count == expected.count)
      let boundary = run.events[..<run.migration].filter(\.isTracePoint).count
      #expect(Array(imported[..<boundary]) == Array(expected[..<boundary]))
      #expect(Array(imported[(boundary + 1)...]) == Array(expected[(boundary + 1)...]))
      let session = try store.session(summary.session)
      #expect(session.info.metadata["destination:format"] == .string("simple"))
      #expect(session.info.metadata["destination:pid"] == .integer(4152))
    }
  }

  @Test func aBadLineInTheDestinationStoresNothing() throws {
    try Workspace.with { space in
      let run = try Self.migratedRun(in: space)
      var lines = try String(decoding: space.read("dst.log"), as: UTF8.self)
        .split(separator: "\n", omittingEmptySubsequences: false)
      lines[6] = "vmbus_open_channel channel #x gpadl_id 7 target_vp 0"
      try space.write("dst.log", lines.joined(separator: "\n"))
      var opened = false
      let error = sessionsError { () throws(SessionsError) in
        try Self.importer(run).run { () throws(SessionsError) in
          opened = true
          do { return try space.store() } catch { throw .io("\(error)") }
        }
      }
      #expect(error?.exitCode == 65)
      let message = error.map { "\($0)" } ?? ""
      #expect(message.hasPrefix("\(run.destination):7:"), "\(message)")
      #expect(message.contains("vmbus_open_channel"), "\(message)")
      #expect(!opened)
      #expect(!space.exists("sessions.sqlite"))
    }
  }

  @Test func aMissingDestinationIsMissingInput() throws {
    try Workspace.with { space in
      var run = try Self.migratedRun(in: space)
      run.destination = space.path("absent.log")
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in
        try Self.importer(run).run(into: store)
      }
      #expect(error?.exitCode == 66)
      #expect("\(String(describing: error))".contains("absent.log"))
      #expect(try store.sessions().isEmpty)
    }
  }

  @Test func anEmptyDestinationIsRefusedUnlessAllowed() throws {
    try Workspace.with { space in
      let run = try Self.migratedRun(in: space)
      try space.write("dst.log", "")
      var importer = Self.importer(run)
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in try importer.run(into: store) }
      #expect(error?.exitCode == 65)
      #expect("\(String(describing: error))".contains("\(run.destination): error: no vmbus_*"))
      #expect(try store.sessions().isEmpty)
      // Allowed: the source's events and the migration, after which nothing was traced.
      importer.allowsNoEvents = true
      let summary = try importer.run(into: store)
      #expect(summary.destination?.events == 0)
      #expect(summary.sessionEvents == summary.events + 1)
      let exporter = SessionExporter(store: store, session: summary.session)
      try exporter.export(.qemuLog, part: .destination, output: space.path("dst.out"))
      #expect(try space.read("dst.out") == [])
      try exporter.export(.qemuLog, part: .source, output: space.path("src.out"))
      #expect(try space.read("src.out") == space.read("src.log"))
    }
  }

  @Test func partsAreForMigratedImportsAlone() throws {
    try Workspace.with { space in
      let (_, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      let store = try space.store()
      let summary = try TraceImporter(path: log, format: nil, strict: false, name: nil)
        .run(into: store)
      let error = sessionsError { () throws(SessionsError) in
        try SessionExporter(store: store, session: summary.session)
          .export(.qemuLog, part: .destination, output: space.path("x.log"))
      }
      #expect(error?.exitCode == 64)
      #expect(!space.exists("x.log"))
      let same = sessionsError { () throws(SessionsError) in
        var importer = TraceImporter(path: log, format: nil, strict: false, name: nil)
        importer.destinationPath = log
        return try importer.run(into: store)
      }
      #expect(same?.exitCode == 64)
    }
  }
}
