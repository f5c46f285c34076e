import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The store under real processes: an import killed midway, and readers beside a writer.
@Suite("store robustness")
struct StoreRobustnessTests {
  /// A log long enough that storing it takes a few seconds: 45 lines × `copies`.
  static func largeLog(copies: Int) -> String {
    String(repeating: TraceFixtures.mixedLog, count: copies)
  }

  /// Polls `condition` every 10 ms until it holds or `seconds` pass; returns whether it held.
  static func poll(seconds: Double, _ condition: () throws -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if (try? condition()) == true { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return false
  }

  @Test func anImportKilledMidwayLeavesASoundDatabaseAndAnInProgressSession() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "small.log")
      let copies = 4_000
      let total = copies * TraceFixtures.mixedLogEvents
      let path = try dir.write("large.log", Self.largeLog(copies: copies))
      let importer = try CLI.start(["import", path, "--db", dir.database], in: dir.url)
      let started = await Self.poll(seconds: 120) {
        guard importer.isRunning else { return true }
        return (try StoreInspector.progress(dir.database, session: 2)?.eventCount ?? 0) > 0
      }
      // Only our own child, and only while it runs (a reaped pid could be reused).
      if importer.isRunning { kill(importer.processIdentifier, SIGKILL) }
      await CLI.waitForExit(importer)
      try #require(started)
      try #require(
        importer.terminationReason == .uncaughtSignal,
        "the import finished before it could be killed")
      #expect(importer.terminationStatus == SIGKILL)

      #expect(try StoreInspector.integrityCheck(dir.database) == ["ok"])
      let progress = try #require(try StoreInspector.progress(dir.database, session: 2))
      #expect(progress.status == "in_progress")
      #expect(progress.eventCount > 0 && progress.eventCount < total)
      #expect(progress.storedEvents == progress.eventCount)

      let json = try await dir.run("sessions", "--json")
      #expect(json.status == 0)
      let sessions = try JSON.parseLines(json.stdout)
      #expect(sessions.map { $0["status"] } == ["complete", "in_progress"])
      #expect(sessions.last?["events"]?.int == progress.eventCount)
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

  @Test func readersRunWhileAWriterImports() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "small.log")
      let path = try dir.write("large.log", Self.largeLog(copies: 3_000))
      let output = URL(fileURLWithPath: dir.path("import.out"))
      let errors = URL(fileURLWithPath: dir.path("import.err"))
      let importer = try CLI.start(
        ["import", path, "--db", dir.database, "--json"], in: dir.url, stdout: output,
        stderr: errors)
      var reads = 0
      var readsDuringImport = 0
      while importer.isRunning || reads < 4 {
        let sessions = try await dir.run("sessions", "--json")
        let replay = try await dir.run("replay", "1", "--to", "5", "--json")
        reads += 1
        for result in [sessions, replay] {
          #expect(result.status == 0, "\(result)")
          #expect(!result.stderr.contains("locked"), "\(result)")
        }
        if sessions.stdout.contains("\"in_progress\"") { readsDuringImport += 1 }
        if reads > 2_000 { break }
      }
      await CLI.waitForExit(importer)
      #expect(importer.terminationStatus == 0)
      #expect(try String(contentsOf: errors, encoding: .utf8) == "")
      #expect(
        try String(contentsOf: output, encoding: .utf8)
          == "{\"session\": 2, \"events\": 126000, \"skipped\": 9000}\n")
      #expect(readsDuringImport > 0, "no read overlapped the import's writes")
      #expect(try StoreInspector.progress(dir.database, session: 2)?.status == "complete")
    }
  }
}
