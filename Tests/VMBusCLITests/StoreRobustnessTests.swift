import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The store under real processes: an import killed midway, readers and a second writer
/// beside a paused import, and a file that changes under an import.
///
/// Each test pauses the importer at a known commit (`VMBUS_SIM_STOP_AFTER_COMMITS`: it stops
/// itself with SIGSTOP), so nothing here races the importer's speed.
@Suite("store robustness", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
struct StoreRobustnessTests {
  /// The importer's batch: rows are committed this many events at a time.
  static let batch = 10_000
  /// 1,000 copies of the fixture: 42,000 events, four full batches and a partial one.
  static let copies = 1_000
  static var total: Int { copies * TraceFixtures.mixedLogEvents }

  /// Starts `import large.log` that stops itself after `commits` batches, and waits for it to
  /// stop; a stopped child is killed if the test ends early.
  static func pausedImport(
    in dir: TemporaryDirectory, afterCommits commits: Int, extraArguments: [String] = [],
    stdout: URL? = nil, stderr: URL? = nil
  ) async throws -> (process: Process, log: String) {
    let log = try dir.write(
      "large.log", String(repeating: TraceFixtures.mixedLog, count: copies))
    let importer = try CLI.start(
      ["import", log, "--db", dir.database] + extraArguments,
      environment: [CLI.stopAfterCommits: "\(commits)"], in: dir.url, stdout: stdout,
      stderr: stderr)
    guard await CLI.waitUntilStopped(importer) else {
      if importer.isRunning { kill(importer.processIdentifier, SIGKILL) }
      await CLI.waitForExit(importer)
      throw CLIError(description: "the import did not stop after commit \(commits)")
    }
    return (importer, log)
  }

  @Test func anImportKilledMidwayLeavesASoundDatabaseAndAnInProgressSession() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "small.log")
      let (importer, _) = try await Self.pausedImport(in: dir, afterCommits: 2)
      // A failed expectation must not leave a stopped child behind.
      defer { if importer.isRunning { kill(importer.processIdentifier, SIGKILL) } }
      let atKill = try StoreInspector.progress(dir.database, session: 2)
      // Only our own child, and only while it runs (a reaped pid could be reused).
      if importer.isRunning { kill(importer.processIdentifier, SIGKILL) }
      await CLI.waitForExit(importer)
      #expect(importer.terminationReason == .uncaughtSignal)
      #expect(importer.terminationStatus == SIGKILL)
      #expect(
        atKill
          == .init(status: "in_progress", eventCount: 2 * Self.batch, storedEvents: 2 * Self.batch)
      )

      #expect(try StoreInspector.integrityCheck(dir.database) == ["ok"])
      #expect(try StoreInspector.progress(dir.database, session: 2) == atKill)
      let json = try await dir.run("sessions", "--json")
      #expect(json.status == 0)
      let sessions = try JSON.parseLines(json.stdout)
      #expect(sessions.map { $0["status"] } == ["complete", "in_progress"])
      #expect(sessions.last?["events"]?.int == 2 * Self.batch)
      let text = try await dir.run("sessions")
      #expect(text.lines.last?.split(separator: " ").prefix(3) == ["2", "in_progress", "imported"])

      // Verify does not call the cut-off session clean.
      let verify = try await dir.run("verify", "2", "--json")
      #expect(verify.status == 1)
      let findings = try JSON.parse(verify.stdout)["violations"]?.elements ?? []
      #expect(findings.last?["rule"] == "incomplete_session")
      // The database stays usable: the next import gets the next id and completes.
      let next = try await dir.importLog(TraceFixtures.mixedLog, as: "after.log")
      #expect(next == 3)
      #expect(try StoreInspector.progress(dir.database, session: 3)?.status == "complete")
      #expect(try StoreInspector.integrityCheck(dir.database) == ["ok"])
    }
  }

  @Test func readersAndASecondWriterWorkBesideAnImportInProgress() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "small.log")
      let output = URL(fileURLWithPath: dir.path("import.out"))
      let errors = URL(fileURLWithPath: dir.path("import.err"))
      let (importer, _) = try await Self.pausedImport(
        in: dir, afterCommits: 1, extraArguments: ["--json"], stdout: output, stderr: errors)
      // A failed expectation must not leave a stopped child behind.
      defer { if importer.isRunning { kill(importer.processIdentifier, SIGKILL) } }

      let sessions = try await dir.run("sessions", "--json")
      #expect(sessions.status == 0, "\(sessions)")
      let rows = try JSON.parseLines(sessions.stdout)
      #expect(rows.map { $0["status"] } == ["complete", "in_progress"])
      #expect(rows.last?["events"]?.int == Self.batch)
      // The committed part replays, to its last event, like the same events imported whole.
      let partial = try await dir.run("replay", "2", "--at", "\(Self.batch)", "--json")
      #expect(partial.status == 0, "\(partial)")
      let beyond = try await dir.run("replay", "2", "--at", "\(Self.batch + 1)")
      #expect(beyond.status == 64, "\(beyond)")
      #expect(try await dir.run("replay", "1", "--at", "5", "--json").status == 0)
      // A second writer is not blocked by the paused one and gets the next id.
      #expect(try await dir.importLog(TraceFixtures.mixedLog, as: "beside.log") == 3)

      kill(importer.processIdentifier, SIGCONT)
      await CLI.waitForExit(importer)
      #expect(importer.terminationStatus == 0)
      #expect(try String(contentsOf: errors, encoding: .utf8) == "")
      #expect(
        try String(contentsOf: output, encoding: .utf8)
          == "{\"session\": 2, \"events\": \(Self.total), \"skipped\": \(Self.copies * 3)}\n")
      #expect(
        try StoreInspector.progress(dir.database, session: 2)
          == .init(status: "complete", eventCount: Self.total, storedEvents: Self.total))
      #expect(try StoreInspector.progress(dir.database, session: 3)?.status == "complete")
      // The events read while the import was paused are the ones it finally stored.
      let whole = try await dir.run("replay", "2", "--at", "\(Self.batch)", "--json")
      #expect(whole.stdout == partial.stdout)
    }
  }

  @Test func aFileThatShrinksDuringTheImportFailsItsSession() async throws {
    try await TemporaryDirectory.with { dir in
      let errors = URL(fileURLWithPath: dir.path("import.err"))
      let (importer, log) = try await Self.pausedImport(in: dir, afterCommits: 1, stderr: errors)
      // A failed expectation must not leave a stopped child behind.
      defer { if importer.isRunning { kill(importer.processIdentifier, SIGKILL) } }
      let handle = try #require(FileHandle(forWritingAtPath: log))
      try handle.truncate(atOffset: 0)
      try handle.close()
      kill(importer.processIdentifier, SIGCONT)
      await CLI.waitForExit(importer)

      #expect(importer.terminationStatus == 74)
      #expect(
        try String(contentsOf: errors, encoding: .utf8)
          == "error: \(log): the file changed while it was imported\n")
      let progress = try #require(try StoreInspector.progress(dir.database, session: 1))
      #expect(progress.status == "failed")
      #expect(progress.eventCount >= Self.batch && progress.eventCount < Self.total)
      #expect(progress.storedEvents == progress.eventCount)
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["status"] } == ["failed"])
      #expect(try StoreInspector.integrityCheck(dir.database) == ["ok"])
    }
  }
}
