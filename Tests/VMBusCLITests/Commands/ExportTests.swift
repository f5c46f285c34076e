import Foundation
import Testing

/// `vmbus-sim export`: QEMU log in four dialects, simple-trace binary, JSON Lines.
@Suite("export")
struct ExportTests {
  /// Each dialect's prefix, as a pattern.
  static let prefixes: [(String, String)] = [
    ("thread", #"^[0-9]+@[0-9]+\.[0-9]{6}:vmbus_"#),
    ("plain", #"^vmbus_"#),
    // GLib's ISO-8601 leaves the fraction out at a whole second.
    ("iso8601", #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z vmbus_"#),
  ]

  @Test(arguments: prefixes)
  func eachDialectPrefixesEveryLineAndReimports(_ dialect: String, _ pattern: String) async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("export", "1", "--format", "qemu-log", "--dialect", dialect)
      #expect(result.status == 0)
      #expect(result.stderr == "")
      #expect(result.lines.count == TraceFixtures.mixedLogEvents)
      let regex = try Regex(pattern)
      for line in result.lines {
        #expect(line.contains(regex), "\(line)")
      }
      let path = try dir.write("\(dialect).log", result.stdout)
      let imported = try await dir.run("import", path, "--strict", "--json")
      #expect(imported.stdout == "{\"session\": 2, \"events\": 42, \"skipped\": 0}\n")
      #expect(
        try await dir.run("replay", "2", "--json").stdout
          == (try await dir.run("replay", "1", "--json").stdout))
      let again = try await dir.run("export", "2", "--format", "qemu-log")
      #expect(again.stdout == result.stdout)
    }
  }

  /// `-o` writes through the path: a symlink stays a symlink (its target gets the output), as
  /// `/dev/stdout` or a device must; a full disk is an I/O error, not a silent truncation.
  @Test func outputIsWrittenInPlaceAndAFullDiskIsAnError() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      try dir.write("target.jsonl", "old\n")
      try FileManager.default.createSymbolicLink(
        atPath: dir.path("link.jsonl"), withDestinationPath: dir.path("target.jsonl"))
      for command in [["export", "1", "--format", "jsonl"], ["report", "1"]] {
        let result = try await dir.run(command + ["-o", dir.path("link.jsonl")])
        #expect(result.status == 0, "\(result)")
        let kind = try FileManager.default.attributesOfItem(atPath: dir.path("link.jsonl"))[.type]
        #expect(kind as? FileAttributeType == .typeSymbolicLink)
        #expect(try dir.readText("target.jsonl").count > 100)
      }
      var device = stat()
      guard stat("/dev/full", &device) == 0, device.st_mode & S_IFMT == S_IFCHR else { return }
      for command in [["export", "1", "--format", "jsonl"], ["report", "1"]] {
        let full = try await dir.run(command + ["-o", "/dev/full"])
        #expect(full.status == 74, "\(full)")
        #expect(full.stderr.contains("/dev/full: cannot write"), "\(full.stderr)")
      }
    }
  }

  @Test func outputFileOption() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run(
        "export", "1", "--format", "qemu-log", "-o", dir.path("out.log"))
      #expect(result.status == 0)
      #expect(result.stdout == "")
      #expect(result.stderr == "")
      #expect(try dir.readText("out.log") == TraceFixtures.mixedLog)
    }
  }

  @Test func aMergedImportStillExportsTheWholeFile() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let merged = dir.path("merged.sqlite")
      let merge = try await CLI.run(["merge", dir.database, "--db", merged])
      #expect(merge.status == 0, "\(merge)")
      let exported = try await CLI.run(["export", "1", "--format", "qemu-log", "--db", merged])
      #expect(exported.status == 0, "\(exported)")
      #expect(exported.stdout == TraceFixtures.mixedLog)
    }
  }

  @Test func jsonLinesOneObjectPerEvent() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("export", "1", "--format", "jsonl")
      #expect(result.status == 0)
      let records = try JSON.parseLines(result.stdout)
      #expect(records.map { $0["seq"] } == (1...42).map { .integer(Int64($0)) })
      #expect(records[0]["name"] == "vmbus_recv_message")
      #expect(records[0]["args"] == .object(["type": 14, "size": 40]))
      #expect(records[36]["name"] == "vmbus_open_channel")
      #expect(records[36]["args"] == .object(["chan_id": 1, "gpadl_id": 925_200, "target_vp": 0]))
    }
  }

  @Test func simpleNeedsAnOutputFile() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("export", "1", "--format", "simple")
      #expect(result.status == 64)
      #expect(result.stdout == "")
      #expect(result.stderr.contains("--format simple writes binary: give -o FILE"))
    }
  }

  @Test func aSimulatedSessionExportsOnlyTracePoints() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let steps = try JSON.parseLines(try await dir.run("replay", "\(session)", "--json").stdout)
      let names = steps.compactMap { $0["event"]?["name"]?.string }.filter {
        $0.hasPrefix("vmbus_")
      }
      let log = try await dir.run("export", "\(session)", "--format", "qemu-log")
      #expect(log.status == 0)
      #expect(log.lines.map { String($0.prefix { $0 != " " }) } == names)
    }
  }

  @Test(arguments: ["qemu-log", "simple", "jsonl"])
  func anUnknownSessionLeavesTheOutputFileAlone(_ format: String) async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let output = try dir.write("keep.out", "precious\n")
      let result = try await dir.run("export", "5", "--format", format, "-o", output)
      #expect(result.status == 66)
      #expect(result.stderr == "error: \(dir.database): no session 5\n")
      #expect(try dir.readText("keep.out") == "precious\n")
    }
  }

  @Test(arguments: ["qemu-log", "jsonl"])
  func anUnknownSessionIsAnError(_ format: String) async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("export", "5", "--format", format)
      #expect(result.status == 66)
      #expect(result.stdout == "")
      #expect(result.stderr == "error: \(dir.database): no session 5\n")
    }
  }
}
