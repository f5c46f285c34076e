import Foundation
import Testing
import VMBusReport

/// The page's scripts live in `Sources/VMBusReport/Page/Script/*.js` (linted by CI) and are
/// embedded in `ReportPage+Script.swift`, so that the binary needs no resource bundle beside
/// it. `VMBUS_SIM_RECORD=1` rewrites the Swift file from the scripts.
@Suite struct ReportScriptTests {
  static let page = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // VMBusReportTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()
    .appendingPathComponent("Sources/VMBusReport/Page")

  static func script(_ name: String) throws -> String {
    try String(contentsOf: page.appendingPathComponent("Script/\(name)"), encoding: .utf8)
  }

  /// The Swift file that embeds `errorCapture` and `script`.
  static func swiftSource(errorCapture: String, script: String) -> String {
    func literal(_ text: String) -> String {
      text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }
    return """
      // Generated from Script/error-capture.js and Script/report.js, which are the source (CI lints
      // them): edit those, then run `VMBUS_SIM_RECORD=1 swift test --filter ReportScriptTests`.
      // Embedded rather than a resource bundle so that the binary is the whole program.
      extension ReportPage {
        /// Script/error-capture.js: runs first and keeps every error for the self-test.
        package static let errorCapture = #\"""
      \(literal(errorCapture))
          \"""#

        /// Script/report.js: reads the data, draws the rows in view, steps, and self-tests.
        package static let script = #\"""
      \(literal(script))
          \"""#
      }

      """
  }

  @Test func theEmbeddedScriptsAreTheScriptFilesByteForByte() throws {
    let errorCapture = try Self.script("error-capture.js")
    let script = try Self.script("report.js")
    for text in [errorCapture, script] {
      // What would end the raw string, interpolate into it, or end the page's element.
      for needle in ["\"\"\"#", "\\#(", "</script"] {
        #expect(!text.contains(needle), "a script contains \(needle)")
      }
      #expect(text.hasSuffix("\n"))
    }
    let source = Self.swiftSource(errorCapture: errorCapture, script: script)
    let swiftFile = Self.page.appendingPathComponent("ReportPage+Script.swift")
    if ProcessInfo.processInfo.environment["VMBUS_SIM_RECORD"] == "1" {
      try Data(source.utf8).write(to: swiftFile)
      return
    }
    let onDisk = try String(contentsOf: swiftFile, encoding: .utf8)
    #expect(
      onDisk == source,
      "ReportPage+Script.swift is not the scripts: run VMBUS_SIM_RECORD=1 swift test --filter ReportScriptTests"
    )
    #expect(ReportPage.errorCapture + "\n" == errorCapture, "rebuild after recording")
    #expect(ReportPage.script + "\n" == script, "rebuild after recording")
  }
}
