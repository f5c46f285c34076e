import Foundation
import Testing

/// `import SRC --migrated-to DST` end to end: the bundled migration scenario's two QEMU logs,
/// imported as one session, compared with the simulated run, and written back with
/// `export --part`.
@Suite("CLI: import of a migrated VM's two traces")
struct ImportMigratedTests {
  /// Runs the bundled scenario and writes its QEMU logs before (`src.log`) and after
  /// (`dst.log`) the migration, in `dialect`; returns the session and its replay.
  static func migratedLogs(
    in dir: TemporaryDirectory, dialect: String = "original"
  ) async throws -> (session: Int, replay: [JSON], migration: Int) {
    let session = try await dir.runScenario("qemu-migration.yaml")
    let replay = try JSON.parseLines(try await dir.run("replay", "\(session)", "--json").stdout)
    let migration = try #require(
      replay.first { $0["event"]?["name"]?.string == "sim_migrated" }?["seq"]?.int)
    let source = try await dir.run(
      "export", "\(session)", "--format", "qemu-log", "--dialect", dialect, "--to",
      "\(migration - 1)", "-o", "src.log")
    let destination = try await dir.run(
      "export", "\(session)", "--format", "qemu-log", "--dialect", dialect, "--from",
      "\(migration + 1)", "-o", "dst.log")
    #expect(source.status == 0 && destination.status == 0, "\(source)\(destination)")
    return (session, replay, migration)
  }

  static func sessionCount(_ dir: TemporaryDirectory) async throws -> Int {
    try JSON.parse(try await dir.run("sessions", "--json").stdout).elements.count
  }

  @Test("the two logs of the bundled migration import as its trace points, step by step")
  func bundledMigrationRoundTrip() async throws {
    try await TemporaryDirectory.with { dir in
      let (_, simulated, _) = try await Self.migratedLogs(in: dir)
      let result = try await dir.run("import", "src.log", "--migrated-to", "dst.log", "--json")
      #expect(result.status == 0, "\(result)")
      let summary = try JSON.parse(result.stdout)
      let session = try #require(summary["session"]?.int)
      #expect(summary["destination"]?["file"]?.string == "dst.log")

      // Step by step: the simulation's trace points and its migration, same names and
      // arguments (the saved digest is the bare fold's: no child_relid in a log).
      let expected = simulated.filter {
        let name = $0["event"]?["name"]?.string ?? ""
        return name.hasPrefix("vmbus_") || name == "sim_migrated"
      }
      let imported = try JSON.parseLines(try await dir.run("replay", "\(session)", "--json").stdout)
      #expect(imported.count == expected.count)
      #expect(summary["events"]?.int == expected.count)
      for (step, original) in zip(imported, expected) {
        let name = step["event"]?["name"]?.string
        #expect(name == original["event"]?["name"]?.string, "\(step)")
        if name != "sim_migrated" {
          #expect(step["event"]?["args"] == original["event"]?["args"], "\(step)")
        }
      }
      let verify = try await dir.run("verify", "\(session)")
      #expect(verify.status == 0, "\(verify)")
      #expect(verify.stdout.contains("0 violations"), "\(verify.stdout)")

      // Each part back, byte for byte, line by line.
      for (part, file) in [("source", "src.log"), ("destination", "dst.log")] {
        let export = try await dir.run(
          "export", "\(session)", "--format", "qemu-log", "--part", part, "-o", "\(part).out")
        #expect(export.status == 0, "\(export)")
        let written = try dir.readText("\(part).out").split(
          separator: "\n", omittingEmptySubsequences: false)
        let original = try dir.readText(file).split(
          separator: "\n", omittingEmptySubsequences: false)
        #expect(written.count == original.count)
        for (number, (line, expected)) in zip(written, original).enumerated() {
          #expect(line == expected, "\(file):\(number + 1)")
        }
        #expect(try dir.read("\(part).out") == dir.read(file))
      }
      // Without --part: both files, one after the other.
      let whole = try await dir.run("export", "\(session)", "--format", "qemu-log")
      #expect(whole.stdout == (try dir.readText("src.log")) + (try dir.readText("dst.log")))
    }
  }

  @Test("the destination's clock restarts: report and Perfetto continue the timeline")
  func timelineContinuesAcrossTheBoundary() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await Self.migratedLogs(in: dir, dialect: "thread")
      // The source QEMU ran 100 s before the migration; the destination's clock is new.
      let shifted = try dir.readText("src.log").replacingOccurrences(of: "@0.", with: "@100.")
      try dir.write("src.log", shifted)
      let result = try await dir.run("import", "src.log", "--migrated-to", "dst.log", "--json")
      let session = try #require(try JSON.parse(result.stdout)["session"]?.int)
      let perfetto = try await dir.run(
        "export", "\(session)", "--format", "perfetto", "-o", "m.json")
      #expect(perfetto.status == 0, "\(perfetto)")
      let trace = try JSON.parse(try dir.readText("m.json"))
      let slices = (trace["traceEvents"]?.elements ?? []).filter {
        $0["ph"]?.string == "X" && $0["tid"]?.int == 1
      }
      let starts = slices.compactMap { $0["ts"]?.number }
      #expect(starts.count > 10)
      #expect(starts == starts.sorted(), "\(starts)")
      // The destination's guest messages keep their own spacing after the source's last
      // event, rather than being bunched 1 ns apart at it (times are µs from the first).
      let last = try #require(starts.last)
      #expect(last - starts[starts.count - 2] > 1, "\(starts.suffix(3))")
      let report = try await dir.run("report", "\(session)", "-o", "m.html")
      #expect(report.status == 0, "\(report)")
      #expect(try dir.readText("m.html").contains("live migration: the source host stops"))
    }
  }

  @Test("a bad destination line names the file and line, exits 65 and stores nothing")
  func badDestinationLine() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await Self.migratedLogs(in: dir)
      var lines = try dir.readText("dst.log").split(
        separator: "\n", omittingEmptySubsequences: false)
      lines[4] = "vmbus_gpadl_header gpadl_id x num_gfns 4"
      try dir.write("dst.log", lines.joined(separator: "\n"))
      let before = try await Self.sessionCount(dir)
      let result = try await dir.run("import", "src.log", "--migrated-to", "dst.log")
      #expect(result.status == 65, "\(result)")
      #expect(result.stderr.hasPrefix("dst.log:5: error: vmbus_gpadl_header"), "\(result.stderr)")
      #expect(try await Self.sessionCount(dir) == before)
    }
  }

  @Test("a missing destination is 66, an empty one 65 unless --allow-no-events")
  func missingAndEmptyDestination() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await Self.migratedLogs(in: dir)
      let before = try await Self.sessionCount(dir)
      let missing = try await dir.run("import", "src.log", "--migrated-to", "absent.log")
      #expect(missing.status == 66, "\(missing)")
      #expect(missing.stderr.contains("absent.log"), "\(missing.stderr)")
      try dir.write("empty.log", "")
      let empty = try await dir.run("import", "src.log", "--migrated-to", "empty.log")
      #expect(empty.status == 65, "\(empty)")
      #expect(empty.stderr.hasPrefix("empty.log: error: no vmbus_* event"), "\(empty.stderr)")
      #expect(try await Self.sessionCount(dir) == before)
      let allowed = try await dir.run(
        "import", "src.log", "--migrated-to", "empty.log", "--allow-no-events", "--json")
      #expect(allowed.status == 0, "\(allowed)")
      #expect(try JSON.parse(allowed.stdout)["destination"]?["events"]?.int == 0)
    }
  }

  @Test("a simulated run's parts are the traces before and after its migration")
  func simulatedRunExportsByPart() async throws {
    try await TemporaryDirectory.with { dir in
      // src.log and dst.log: the ranges around sim_migrated, exported by seq.
      let (session, _, _) = try await Self.migratedLogs(in: dir)
      for (part, ranged) in [("source", "src.log"), ("destination", "dst.log")] {
        let result = try await dir.run(
          "export", "\(session)", "--format", "qemu-log", "--part", part, "-o", "\(part).log")
        #expect(result.status == 0, "\(result)")
        #expect(try dir.read("\(part).log") == (try dir.read(ranged)), "\(part)")
      }
      // A range is taken within the part: the destination has nothing before the migration.
      let excerpt = try await dir.run(
        "export", "\(session)", "--format", "jsonl", "--part", "destination", "--to", "2")
      #expect(excerpt.status == 64, "\(excerpt)")
      #expect(excerpt.stderr.contains("hold none of the destination's"), "\(excerpt.stderr)")
      let imported = try await dir.run(
        "import", "source.log", "--migrated-to", "destination.log", "--json")
      #expect(imported.status == 0, "\(imported)")
    }
  }

  @Test("options that cannot go together are usage errors")
  func usageErrors() async throws {
    try await TemporaryDirectory.with { dir in
      try dir.write("a.log", "vmbus_signal_event\n")
      for arguments in [
        ["import", "-", "--migrated-to", "-"], ["import", "a.log", "--migrated-to", "a.log"],
        ["import", "a.log", "--migrated-to", "b.log", "--format", "log"],
      ] {
        let result = try await dir.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result)")
      }
      #expect(!dir.exists("sessions.sqlite"))
      let single = try await dir.run("import", "a.log", "--json")
      let session = try #require(try JSON.parse(single.stdout)["session"]?.int)
      let part = try await dir.run(
        "export", "\(session)", "--format", "qemu-log", "--part", "source")
      #expect(part.status == 64, "\(part)")
      #expect(part.stderr.contains("has no migration"), "\(part.stderr)")
    }
  }
}
