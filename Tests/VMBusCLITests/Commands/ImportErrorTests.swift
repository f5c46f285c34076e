import Foundation
import Testing

/// Bad input to `vmbus-sim import`: every diagnostic on standard error with its location,
/// exit status 65, and the database exactly as it was.
@Suite("import: bad input")
struct ImportErrorTests {
  /// A trace that must be refused, and the diagnostics it must produce (`FILE` stands for
  /// the trace's path).
  struct BadTrace: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    var options: [String] = []
    var diagnostics: [String]

    var testDescription: String { label }

    /// ``TraceFixtures/mixedLog`` (45 lines) followed by `lines`, from line 46 on.
    static func log(_ label: String, appending lines: [String], _ diagnostics: [String])
      -> BadTrace
    {
      BadTrace(
        label: label,
        bytes: Array((TraceFixtures.mixedLog + lines.map { $0 + "\n" }.joined()).utf8),
        diagnostics: diagnostics)
    }

    static func simple(
      _ label: String, _ file: SimpleTraceFile, cut: Int = 0, options: [String] = [],
      _ diagnostics: [String]
    ) -> BadTrace {
      BadTrace(
        label: label, bytes: Array(file.bytes.dropLast(cut)), options: options,
        diagnostics: diagnostics)
    }
  }

  static let sample = SimpleTraceFile.vmbusSample()
  /// The offset of the sample's last record (`vmbus_signal_event`, 32 bytes).
  static let lastRecord = sample.bytes.count - 32

  static let cases: [BadTrace] = [
    // Neither a QEMU log nor a simple trace, and logs without the events asked for.
    BadTrace(
      label: "binary garbage", bytes: [0xDE, 0xAD, 0xBE, 0xEF, 0x0A, 0x00, 0x01, 0x0A, 0xFF],
      diagnostics: [
        "FILE: error: not a QEMU trace: binary data that is no simple-trace file, and none of its 3 lines is trace output"
      ]),
    BadTrace(
      label: "empty file", bytes: [],
      diagnostics: [
        "FILE: error: no vmbus_* event (no lines); record the trace with -trace 'vmbus_*'; or pass --allow-no-events to store an empty session"
      ]),
    BadTrace(
      label: "a QEMU log recorded without -trace",
      bytes: Array("qemu-system-x86_64: terminating on signal 2\n".utf8),
      diagnostics: [
        "FILE: error: no vmbus_* event (1 line of text, none of them trace output); record the trace with -trace 'vmbus_*'; or pass --allow-no-events to store an empty session"
      ]),
    BadTrace(
      label: "other trace points only", bytes: Array("hv_balloon_status_report a b\n".utf8),
      diagnostics: [
        "FILE: error: no vmbus_* event (1 line of other trace points); record the trace with -trace 'vmbus_*'; or pass --allow-no-events to store an empty session"
      ]),
    .log(
      "malformed vmbus line", appending: ["vmbus_open_channel channel #x gpadl #1 target vp 0"],
      ["FILE:46: error: vmbus_open_channel: expected 'channel #<n>', found 'channel #x'"]),
    .log(
      "unknown vmbus_ event", appending: ["vmbus_frobnicate type 1"],
      ["FILE:46: error: unknown trace point 'vmbus_frobnicate'"]),
    .log(
      "missing argument", appending: ["vmbus_recv_message type 14"],
      ["FILE:46: error: vmbus_recv_message: expected 'size <n>', found end of line"]),
    .log(
      "out-of-range argument", appending: ["vmbus_gpadl_header gpadl #1 gfns 70000"],
      ["FILE:46: error: vmbus_gpadl_header: num_gfns = 70000 is out of range (0...65535)"]),
    .log(
      "trailing text", appending: ["vmbus_signal_event now"],
      ["FILE:46: error: vmbus_signal_event: unexpected 'now' after the arguments"]),
    .log(
      "malformed prefix", appending: ["4152@1591800412.4512:vmbus_signal_event "],
      ["FILE:46: error: malformed timestamp prefix '4152@1591800412.4512:'"]),
    .log(
      "every bad line reported",
      appending: ["vmbus_frobnicate", "vmbus_signal_event ", "vmbus_post_msg type x size 1"],
      [
        "FILE:46: error: unknown trace point 'vmbus_frobnicate'",
        "FILE:48: error: vmbus_post_msg: expected 'type <n>', found 'type x'",
      ]),
    .simple(
      "truncated simple trace", sample, cut: 5,
      ["FILE: offset \(lastRecord): error: truncated event record: needs 32 bytes, 27 available"]
    ),
    .simple(
      "bad magic", SimpleTraceFile.vmbusSample(magic: 0x1234),
      ["FILE: offset 8: error: bad magic 0x1234, expected 0xf2b177cb0aa429b4"]),
    .simple(
      "bad magic, --format simple", SimpleTraceFile.vmbusSample(magic: 0x1234),
      options: ["--format", "simple"],
      ["FILE: offset 8: error: bad magic 0x1234, expected 0xf2b177cb0aa429b4"]),
    .simple(
      "unmapped event id", unmapped,
      ["FILE: offset \(unmapped.bytes.count - 48): error: event id 9 has no mapping record"]),
    .simple(
      "record length mismatch", wrongLength,
      [
        "FILE: offset \(wrongLength.bytes.count - 32): error: vmbus_recv_message record length 24, "
          + "expected 40"
      ]),
    .simple(
      "unknown record type", unknownRecordType,
      ["FILE: offset \(sample.bytes.count): error: unknown record type 7"]),
  ]

  static let unmapped: SimpleTraceFile = {
    var file = sample
    file.event(9, [1, 2])
    return file
  }()

  static let wrongLength: SimpleTraceFile = {
    var file = sample
    file.event(0, [])
    return file
  }()

  static let unknownRecordType: SimpleTraceFile = {
    var file = sample
    file.raw(SimpleTraceFile.u64(7) + [UInt8](repeating: 0, count: 16))
    return file
  }()

  @Test(arguments: cases)
  func refusedWithDiagnosticsAndTheDatabaseUntouched(_ bad: BadTrace) async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "good.log")
      let before = try StoreInspector.dump(dir.database)
      let path = try dir.write("bad.trace", bytes: bad.bytes)
      let result = try await CLI.run(
        ["import", path, "--db", dir.database] + bad.options, in: dir.url)
      #expect(result.status == 65, "\(result)")
      #expect(result.stdout == "")
      #expect(result.errorLines == bad.diagnostics.map { $0.replacing("FILE", with: path) })
      #expect(try StoreInspector.dump(dir.database) == before)
      let json = try await CLI.run(
        ["import", path, "--db", dir.database, "--json"] + bad.options, in: dir.url)
      #expect(json.status == 65)
      #expect(json.stdout == "")
      #expect(try StoreInspector.dump(dir.database) == before)
    }
  }

  @Test("--allow-no-events keeps a log without vmbus_* events as an empty session")
  func allowNoEvents() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("balloon.log", "hv_balloon_status_report a b\n")
      let result = try await dir.run("import", path, "--allow-no-events", "--json")
      #expect(result.status == 0, "\(result)")
      let summary = try JSON.parse(result.stdout)
      #expect(summary["events"]?.int == 0)
      #expect(summary["skipped"]?.int == 1)
    }
  }

  @Test func badInputCreatesNoDatabase() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("bad.log", "vmbus_frobnicate\n")
      let result = try await dir.run("import", path)
      #expect(result.status == 65)
      #expect(result.errorLines == ["\(path):1: error: unknown trace point 'vmbus_frobnicate'"])
      #expect(!dir.exists("sessions.sqlite"))
    }
  }

  @Test func aMissingFileIsAnError() async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run("import", dir.path("absent.log"))
      #expect(result.exited)
      #expect(result.status == 66)
      #expect(result.stdout == "")
      #expect(result.errorLines == ["error: \(dir.path("absent.log")): cannot open for reading"])
      #expect(!dir.exists("sessions.sqlite"))
    }
  }
}
