import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `vmbus-sim import` of QEMU `log`-backend output.
@Suite("import: log backend")
struct ImportLogTests {
  @Test func jsonPrintsExactlyOneSummaryObject() async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write("boot.log", TraceFixtures.mixedLog)
      let first = try await dir.run("import", log, "--json")
      #expect(first.status == 0)
      #expect(first.stderr == "")
      #expect(first.stdout == "{\"session\": 1, \"events\": 42, \"skipped\": 3}\n")
      let summary = try JSON.parse(first.stdout)
      #expect(summary.keys == ["session", "events", "skipped"])
      let second = try await dir.run("import", log, "--json")
      #expect(second.status == 0)
      #expect(second.stdout == "{\"session\": 2, \"events\": 42, \"skipped\": 3}\n")
    }
  }

  @Test func textSummaryCountsEventsAndSkips() async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write("boot.log", TraceFixtures.mixedLog)
      let result = try await dir.run("import", log)
      #expect(result.status == 0)
      #expect(result.stderr == "")
      #expect(
        result.stdout
          == "imported \(log) (log) as session 1: 42 events, 3 skipped "
          + "(1 other trace points, 1 not trace output, 1 blank)\n")
    }
  }

  @Test func nameDefaultsToTheFileName() async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write("boot.log", TraceFixtures.mixedLog)
      #expect(try await dir.run("import", log).status == 0)
      #expect(try await dir.run("import", log, "--name", "boot-1").status == 0)
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["name"] } == ["boot.log", "boot-1"])
      #expect(sessions.map { $0["source"] } == [.string(log), .string(log)])
      #expect(sessions.map { $0["format"] } == ["log", "log"])
    }
  }

  /// The three prefixes QEMU puts before an event (and ISO-8601 without a fraction).
  enum Dialect: String, CaseIterable, Sendable {
    case threadTimestamp, plain, iso8601, iso8601WholeSeconds

    func prefix(_ line: Int) -> String {
      switch self {
      case .threadTimestamp: "4152@1591800412.00451\(line):"
      case .plain: ""
      case .iso8601: "2025-07-21T18:43:28.08979\(line)Z "
      case .iso8601WholeSeconds: "2025-07-21T18:43:2\(line)Z "
      }
    }
  }

  @Test(arguments: Dialect.allCases)
  func eachDialectImportsAndExportsByteIdentical(_ dialect: Dialect) async throws {
    try await TemporaryDirectory.with { dir in
      let text = TraceFixtures.log(prefixedWith: dialect.prefix)
      let log = try dir.write("trace.log", text)
      let imported = try await dir.run("import", log, "--json")
      #expect(imported.stdout == "{\"session\": 1, \"events\": 6, \"skipped\": 0}\n")
      let exported = try await dir.run("export", "1", "--format", "qemu-log")
      #expect(exported.status == 0)
      #expect(exported.stdout == text)
      let contact = try JSON.parse(try await dir.run("replay", "1", "--at", "3", "--json").stdout)
      #expect(contact["state"]?["version"] == "4.0")
    }
  }

  @Test func anImportedLogExportsByteIdenticalWithTheLinesItSkipped() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let exported = try await dir.run("export", "1", "--format", "qemu-log")
      #expect(exported.status == 0)
      #expect(exported.stderr == "")
      #expect(exported.stdout == TraceFixtures.mixedLog)
      let original = try await dir.run(
        "export", "1", "--format", "qemu-log", "--dialect", "original")
      #expect(original.stdout == TraceFixtures.mixedLog)
      let vmbusOnly = try await dir.run("export", "1", "--format", "qemu-log", "--vmbus-only")
      #expect(vmbusOnly.stdout == TraceFixtures.mixedLogEventLines)
      // Another dialect rewrites the events' prefixes and leaves the other lines out.
      let plain = try await dir.run("export", "1", "--format", "qemu-log", "--dialect", "plain")
      #expect(plain.lines.count == TraceFixtures.mixedLogEvents)
      #expect(plain.lines.allSatisfy { $0.hasPrefix("vmbus_") })
    }
  }

  /// A skipped line goes with the event after it; the lines after the last event with the
  /// last excerpt. Consecutive excerpts put together are the file.
  @Test(arguments: [[1...5, 6...20, 21...42], [1...1, 2...41, 42...42], [1...42]])
  func consecutiveExcerptsPutTogetherAreTheFile(_ excerpts: [ClosedRange<Int>]) async throws {
    try await TemporaryDirectory.with { dir in
      let text = "early error_report line\n" + TraceFixtures.mixedLog + "\nqemu: terminating\n"
      _ = try await dir.importLog(text)
      var joined = ""
      for range in excerpts {
        let part = try await dir.run(
          "export", "1", "--format", "qemu-log", "--from", "\(range.lowerBound)", "--to",
          "\(range.upperBound)")
        #expect(part.status == 0, "\(part)")
        joined += part.stdout
      }
      #expect(joined == text)
    }
  }

  /// What QEMU leaves when it dies mid-write: the last line cut off, without a newline. A
  /// truncated file is bad input; --allow-cut-off imports what is whole.
  @Test func aLogCutOffMidLineIsRefusedUnlessAllowed() async throws {
    try await TemporaryDirectory.with { dir in
      let last = TraceFixtures.mixedLog.split(separator: "\n", omittingEmptySubsequences: false)
        .count
      let text = TraceFixtures.mixedLog + "4152@1591800412.004800:vmbus_recv_mess"
      let log = try dir.write("crash.log", text)
      let refused = try await dir.run("import", log)
      #expect(refused.status == 65)
      #expect(
        refused.errorLines == [
          "\(log):\(last): error: unknown trace point 'vmbus_recv_mess'",
          "\(log):\(last): note: the file ends inside this line (QEMU stopped mid-write?); "
            + "--allow-cut-off skips it",
        ])
      #expect(!dir.exists("sessions.sqlite"))

      let imported = try await dir.run("import", log, "--allow-cut-off")
      #expect(imported.status == 0, "\(imported)")
      #expect(
        imported.stdout
          == "imported \(log) (log) as session 1: 42 events, 4 skipped (1 other trace points, "
          + "1 not trace output, 1 blank, 1 last line cut off)\n")
      #expect(try await dir.run("export", "1", "--format", "qemu-log").stdout == text)
      // Strict refuses it all the same; a malformed line with its newline is no cut-off.
      #expect(try await dir.run("import", log, "--allow-cut-off", "--strict").status == 65)
      let whole = try dir.write("whole.log", "vmbus_recv_mess\n")
      #expect(try await dir.run("import", whole, "--allow-cut-off").status == 65)
    }
  }

  @Test func aLastEventWithoutANewlineComesBackWithoutOne() async throws {
    try await TemporaryDirectory.with { dir in
      let text = "vmbus_signal_event \nvmbus_channel_notify_guest channel #1"
      _ = try await dir.importLog(text)
      #expect(try await dir.run("export", "1", "--format", "qemu-log").stdout == text)
      let excerpt = try await dir.run("export", "1", "--format", "qemu-log", "--from", "2")
      #expect(excerpt.stdout == "vmbus_channel_notify_guest channel #1")
      let head = try await dir.run("export", "1", "--format", "qemu-log", "--to", "1")
      #expect(head.stdout == "vmbus_signal_event \n")
      let vmbusOnly = try await dir.run("export", "1", "--format", "qemu-log", "--vmbus-only")
      #expect(vmbusOnly.stdout == text + "\n")
    }
  }

  @Test func negativeDecimalsComeBackAsTheSameUnsignedValues() async throws {
    try await TemporaryDirectory.with { dir in
      let text = """
        vmbus_initiate_contact version 4.0 target vp -1 mon pages 0x7e000,0x7f000 int page 0x7d000
        vmbus_gpadl_header gpadl #-1 gfns 2
        vmbus_gpadl_created gpadl #-2147483648
        vmbus_channel_open channel #-2 status -2147483647
        vmbus_msg_cb message status -2147483648

        """
      _ = try await dir.importLog(text)
      let steps = try JSON.parseLines(try await dir.run("replay", "1", "--json").stdout)
      try #require(steps.count == 5)
      #expect(steps[0]["event"]?["args"]?["vcpu"] == 4_294_967_295)
      #expect(steps[1]["event"]?["args"]?["gpadl_id"] == 4_294_967_295)
      #expect(steps[2]["event"]?["args"]?["gpadl_id"] == 2_147_483_648)
      #expect(steps[3]["event"]?["args"]?["chan_id"] == 4_294_967_294)
      #expect(steps[3]["event"]?["args"]?["status"] == 2_147_483_649)
      // `msg_cb`'s status is a C int: it stays negative.
      #expect(steps[4]["event"]?["args"]?["status"] == -2_147_483_648)
      let exported = try await dir.run("export", "1", "--format", "qemu-log")
      #expect(exported.stdout == text)
    }
  }

  @Test func nilPointersAndArgumentlessEventsSurviveTheRoundTrip() async throws {
    try await TemporaryDirectory.with { dir in
      let text = """
        vmbus_send_offer channel #1 dev (nil)
        vmbus_send_offer channel #2 dev 0x55d6c0a1b2c0
        vmbus_terminate_offers\u{20}
        vmbus_signal_event\u{20}

        """
      _ = try await dir.importLog(text)
      let steps = try JSON.parseLines(try await dir.run("replay", "1", "--json").stdout)
      #expect(steps.map { $0["event"]?["args"]?["dev"] } == [.null, "0x55d6c0a1b2c0", nil, nil])
      #expect(
        steps.map { $0["event"]?["args"]?.keys } == [
          ["chan_id", "dev"], ["chan_id", "dev"], [], [],
        ])
      #expect(try await dir.run("export", "1", "--format", "qemu-log").stdout == text)
    }
  }

  @Test func argumentlessEventsWithoutTheirTrailingSpaceAreAccepted() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog("vmbus_signal_event\nvmbus_terminate_offers\n")
      let exported = try await dir.run("export", "1", "--format", "qemu-log")
      #expect(exported.stdout == "vmbus_signal_event \nvmbus_terminate_offers \n")
    }
  }

  @Test func strictMakesEverySkippedLineAnError() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let before = try StoreInspector.dump(dir.database)
      let log = try dir.write("strict.log", TraceFixtures.mixedLog)
      let result = try await dir.run("import", log, "--strict", "--json")
      #expect(result.status == 65)
      #expect(result.stdout == "")
      #expect(
        result.errorLines == [
          "\(log):6: error: not a vmbus trace point: hv_balloon_state_change",
          "\(log):7: error: blank line",
          "\(log):19: error: not a trace line",
        ])
      #expect(try StoreInspector.dump(dir.database) == before)
    }
  }

  @Test func strictAcceptsAPureVMBusLog() async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write("trace.log", TraceFixtures.mixedLogEventLines)
      let result = try await dir.run("import", log, "--strict", "--json")
      #expect(result.status == 0)
      #expect(result.stdout == "{\"session\": 1, \"events\": 42, \"skipped\": 0}\n")
    }
  }

  @Test func standardInputIsCheckedWholeThenStored() async throws {
    try await TemporaryDirectory.with { dir in
      // The temporary copy goes to TMPDIR and is removed afterwards.
      let spool = dir.path("spool")
      try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: false)
      let imported = try await CLI.run(
        ["import", "-", "--db", dir.database], environment: ["TMPDIR": spool], in: dir.url,
        input: TraceFixtures.mixedLog)
      #expect(imported.status == 0, "\(imported)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
      #expect(
        imported.stdout
          == "imported <stdin> (log) as session 1: 42 events, 3 skipped "
          + "(1 other trace points, 1 not trace output, 1 blank)\n")
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["name"] } == ["stdin"])
      #expect(sessions.map { $0["source"] } == ["<stdin>"])
      let fromFile = try await dir.importLog(TraceFixtures.mixedLog)
      #expect(
        try await dir.run("replay", "1", "--json").stdout
          == (try await dir.run("replay", "\(fromFile)", "--json")).stdout)

      // Bad input on standard input is named as such, and nothing is stored.
      let before = try StoreInspector.dump(dir.database)
      let bad = try await CLI.run(
        ["import", "-", "--db", dir.database], environment: ["TMPDIR": spool], in: dir.url,
        input: "vmbus_signal_event \nvmbus_frobnicate\n")
      #expect(bad.status == 65)
      #expect(bad.errorLines == ["<stdin>:2: error: unknown trace point 'vmbus_frobnicate'"])
      #expect(try StoreInspector.dump(dir.database) == before)
      #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
    }
  }

  /// A FIFO (like `<(zcat trace.gz)`) can be read only once; the import copies it first.
  @Test func aPipeIsImportedWhole() async throws {
    try await TemporaryDirectory.with { dir in
      let fifo = dir.path("trace.pipe")
      try #require(mkfifo(fifo, 0o600) == 0)
      let writer = Task.detached { try await Self.write(TraceFixtures.mixedLog, toFIFO: fifo) }
      let imported = try await dir.run("import", fifo, "--json")
      try await writer.value
      #expect(imported.status == 0, "\(imported)")
      #expect(imported.stdout == "{\"session\": 1, \"events\": 42, \"skipped\": 3}\n")
      #expect(try StoreInspector.progress(dir.database, session: 1)?.status == "complete")
      let sessions = try JSON.parseLines(try await dir.run("sessions", "--json").stdout)
      #expect(sessions.map { $0["source"] } == [.string(fifo)])
    }
  }

  /// Writes `text` into the FIFO at `path` once a reader has opened it. Opens without
  /// blocking and retries, so that an importer that never opens it fails the test instead of
  /// hanging it.
  static func write(_ text: String, toFIFO path: String) async throws {
    let deadline = Date().addingTimeInterval(60)
    var fd: Int32 = -1
    while fd < 0 {
      fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
      if fd >= 0 { break }
      guard errno == ENXIO, Date() < deadline else {
        throw CLIError(description: "\(path): no reader opened the FIFO (errno \(errno))")
      }
      try await Task.sleep(for: .milliseconds(10))
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
  }
}

/// `import`'s status line: drawn on a terminal, never into a pipe or with `--json`.
@Suite("import: progress on a terminal")
struct ImportProgressTests {
  @Test("a terminal gets a status line with done/total; a pipe gets nothing")
  func statusLineOnlyOnATerminal() async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write(
        "big.log", String(repeating: TraceFixtures.mixedLog, count: 2_000))
      let (status, output) = try Terminal.run(["import", log, "--db", dir.path("tty.sqlite")])
      #expect(status == 0, "\(output)")
      #expect(output.contains("\r\u{1B}[Kstoring: "), "\(output.prefix(300))")
      #expect(output.contains("imported "))

      let piped = try await CLI.run(["import", log, "--db", dir.path("pipe.sqlite")])
      #expect(piped.status == 0)
      #expect(piped.stderr == "")
    }
  }
}
