import Foundation
import Testing

/// `vmbus-sim import` of QEMU `simple`-backend binaries.
@Suite("import: simple backend")
struct ImportSimpleTests {
  @Test func anExportedSimpleTraceImportsToTheSameSession() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let binary = dir.path("trace-4152")
      let exported = try await dir.run("export", "1", "--format", "simple", "-o", binary)
      #expect(exported.status == 0)
      #expect(exported.stdout == "")
      #expect(exported.stderr == "")
      let imported = try await dir.run("import", binary, "--json")
      #expect(imported.status == 0)
      #expect(imported.stdout == "{\"session\": 2, \"events\": 42, \"skipped\": 0}\n")
      let forced = try await dir.run("import", binary, "--format", "simple", "--json")
      #expect(forced.stdout == "{\"session\": 3, \"events\": 42, \"skipped\": 0}\n")
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["format"] } == ["log", "simple", "simple"])
      let original = try await dir.run("replay", "1", "--json")
      let reimported = try await dir.run("replay", "2", "--json")
      #expect(reimported.stdout == original.stdout)
      let plain = try await dir.run("export", "2", "--format", "qemu-log", "--dialect", "plain")
      #expect(
        plain.stdout
          == (try await dir.run("export", "1", "--format", "qemu-log", "--dialect", "plain")).stdout
      )
    }
  }

  @Test func aHandBuiltTraceImports() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("trace-1", bytes: SimpleTraceFile.vmbusSample().bytes)
      let result = try await dir.run("import", path, "--json")
      #expect(result.status == 0)
      #expect(result.stdout == "{\"session\": 1, \"events\": 4, \"skipped\": 0}\n")
      let exported = try await dir.run("export", "1", "--format", "qemu-log", "--dialect", "plain")
      #expect(
        exported.stdout
          == """
          vmbus_recv_message type 14 size 40
          vmbus_process_incoming_message type 14
          vmbus_gpadl_header gpadl #-1 gfns 2
          vmbus_signal_event\u{20}

          """)
    }
  }

  @Test func aBinaryOnStandardInputIsDetectedAndImported() async throws {
    try await TemporaryDirectory.with { dir in
      let binary = try dir.write("trace-1", bytes: SimpleTraceFile.vmbusSample().bytes)
      let output = URL(fileURLWithPath: dir.path("import.out"))
      let importer = try CLI.start(
        ["import", "-", "--db", dir.database, "--json"], in: dir.url,
        stdin: URL(fileURLWithPath: binary), stdout: output)
      await CLI.waitForExit(importer)
      #expect(importer.terminationStatus == 0)
      #expect(
        try String(contentsOf: output, encoding: .utf8)
          == "{\"session\": 1, \"events\": 4, \"skipped\": 0}\n")
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["format"] } == ["simple"])

      // A truncated binary on standard input: the error names <stdin> and its byte offset.
      let bytes = SimpleTraceFile.vmbusSample().bytes
      let cut = try dir.write("cut", bytes: Array(bytes.prefix(bytes.count - 3)))
      let errors = URL(fileURLWithPath: dir.path("import.err"))
      let refused = try CLI.start(
        ["import", "-", "--db", dir.database], in: dir.url, stdin: URL(fileURLWithPath: cut),
        stderr: errors)
      await CLI.waitForExit(refused)
      #expect(refused.terminationStatus == 65)
      #expect(try String(contentsOf: errors, encoding: .utf8).hasPrefix("<stdin>: offset "))
      #expect(try StoreInspector.progress(dir.database, session: 2) == nil)
    }
  }

  static let withOtherTracePoints: SimpleTraceFile = {
    var file = SimpleTraceFile.vmbusSample()
    file.mapping(7, "hv_balloon_state_change")
    file.event(7, string: "WAIT_QUERY")
    file.event(0, [3, 8])
    file.event(7, string: "IDLE")
    return file
  }()

  @Test func otherTracePointsAreSkippedAndCounted() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("trace-2", bytes: Self.withOtherTracePoints.bytes)
      let result = try await dir.run("import", path, "--json")
      #expect(result.status == 0)
      #expect(result.stdout == "{\"session\": 1, \"events\": 5, \"skipped\": 2}\n")
    }
  }

  @Test func strictRefusesOtherTracePoints() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("trace-2", bytes: Self.withOtherTracePoints.bytes)
      let result = try await dir.run("import", path, "--strict")
      #expect(result.status == 65)
      #expect(result.stdout == "")
      let offset = SimpleTraceFile.vmbusSample().bytes.count + 20 + 23
      #expect(
        result.errorLines == [
          "\(path): offset \(offset): error: not a vmbus trace point: hv_balloon_state_change "
            + "(2 such records)"
        ])
      #expect(!dir.exists("sessions.sqlite"))
    }
  }

  @Test func aSimulatedSessionExportsItsTracePointsOnly() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let steps = try JSON.parseLines(try await dir.run("replay", "\(session)", "--json").stdout)
      let tracePoints = steps.filter { $0["event"]?["name"]?.string?.hasPrefix("vmbus_") == true }
      #expect(tracePoints.count < steps.count)
      let binary = dir.path("boot.simple")
      #expect(
        try await dir.run("export", "\(session)", "--format", "simple", "-o", binary).status == 0)
      let imported = try JSON.parse(try await dir.run("import", binary, "--json").stdout)
      #expect(imported["events"]?.int == tracePoints.count)
      #expect(imported["skipped"] == 0)
    }
  }
}
