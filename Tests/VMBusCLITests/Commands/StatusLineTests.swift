import Foundation
import Testing

/// `export` and `report` of a session show a status line on a terminal (done/total, rate,
/// time left), as `import` does, and print nothing extra to a pipe.
@Suite struct StatusLineTests {
  /// A session of a few thousand events, imported without a terminal.
  static func importedSession(in dir: TemporaryDirectory) async throws -> String {
    let log = try dir.write("big.log", String(repeating: TraceFixtures.mixedLog, count: 500))
    let imported = try await CLI.run(["import", log, "--db", dir.path("db.sqlite")])
    #expect(imported.status == 0, "\(imported)")
    return dir.path("db.sqlite")
  }

  @Test("export and report draw a status line on a terminal and wipe it")
  func aTerminalGetsAStatusLine() async throws {
    try await TemporaryDirectory.with { dir in
      let db = try await Self.importedSession(in: dir)
      let export = try Terminal.run(
        ["export", "1", "--db", db, "--format", "jsonl", "-o", dir.path("out.jsonl")])
      #expect(export.status == 0, "\(export.output)")
      #expect(export.output.contains("\r\u{1B}[Kexporting: 0/"), "\(export.output.prefix(300))")
      #expect(export.output.hasSuffix("\r\u{1B}[K"), "\(export.output.suffix(100))")

      let report = try Terminal.run(["report", "1", "--db", db, "-o", dir.path("out.html")])
      #expect(report.status == 0, "\(report.output)")
      #expect(report.output.contains("\r\u{1B}[Kreading: 0/"), "\(report.output.prefix(300))")
      #expect(report.output.contains("\r\u{1B}[K" + dir.path("out.html") + ": "))

      // Written to the terminal itself, an export is not drawn over.
      let shown = try Terminal.run(["export", "1", "--db", db, "--format", "jsonl"])
      #expect(shown.status == 0)
      #expect(!shown.output.contains("exporting:"))
    }
  }

  @Test("export and report print nothing but their result to a pipe")
  func aPipeGetsNothing() async throws {
    try await TemporaryDirectory.with { dir in
      let db = try await Self.importedSession(in: dir)
      for format in ["jsonl", "qemu-log", "simple", "perfetto"] {
        let export = try await CLI.run(
          ["export", "1", "--db", db, "--format", format, "-o", dir.path("out.\(format)")])
        #expect(export.status == 0, "\(export)")
        #expect(export.stdout == "" && export.stderr == "", "\(format): \(export)")
      }
      let report = try await CLI.run(["report", "1", "--db", db, "-o", dir.path("out.html")])
      #expect(report.status == 0, "\(report)")
      #expect(report.stderr == "")
      #expect(report.lines.count == 1)
    }
  }
}
