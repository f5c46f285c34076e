import Foundation
import Testing

@testable import VMBusSim

/// The scenario files shipped under `scenarios/`.
@Suite("Scenario files")
struct ScenarioFilesTests {
  /// The repository's `scenarios/` directory, found from this file's path.
  static let directory = URL(filePath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appending(path: "scenarios")

  static let files: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()

  @Test("every file under scenarios/ parses", arguments: files)
  func parses(file: String) throws {
    let text = try String(contentsOf: Self.directory.appending(path: file), encoding: .utf8)
    do {
      _ = try ScenarioParser.parse(text, file: "scenarios/\(file)")
    } catch {
      Issue.record("\(error)")
    }
  }
}
