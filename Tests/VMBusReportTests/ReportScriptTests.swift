import Foundation
import Testing
import VMBusReport

/// The page's scripts live in `Sources/VMBusReport/Page/Script/*.js` (linted by CI) and are
/// compiled into the binary by SwiftPM (`embedInCode`), so that it needs no resource bundle
/// beside it.
@Suite struct ReportScriptTests {
  static let scripts = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // VMBusReportTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()
    .appendingPathComponent("Sources/VMBusReport/Page/Script")

  static func script(_ name: String) throws -> String {
    try String(contentsOf: scripts.appendingPathComponent(name), encoding: .utf8)
  }

  @Test func theEmbeddedScriptsAreTheScriptFilesByteForByte() throws {
    let embedded = [
      ("error-capture.js", ReportPage.errorCapture), ("report.js", ReportPage.script),
    ]
    for (name, text) in embedded {
      #expect(text == (try Self.script(name)), "\(name) is not what the binary embeds")
      // The page inlines each script in a <script> element, which this would end.
      #expect(!text.lowercased().contains("</script"), "\(name) contains </script")
    }
  }
}
