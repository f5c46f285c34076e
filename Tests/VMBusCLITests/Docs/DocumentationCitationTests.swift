import Foundation
import Testing

/// What the documentation and the code's comments cite can be followed: links to the
/// project's own files exist, every "§N.M" names a section of docs/qemu-reference.md (the
/// project's digest of QEMU's host, numbered for these citations), and nothing names a path of
/// the machine a document was written on.
@Suite("Documentation citations")
struct DocumentationCitationTests {
  static let root = Repository.root

  /// README.md and docs/*.md, by path relative to the root.
  static func markdownFiles() throws -> [String] {
    let docs = try FileManager.default.contentsOfDirectory(
      atPath: root.appendingPathComponent("docs").path)
    return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
  }

  /// Every `.swift` file under Sources and Tests, relative to the root.
  static func swiftFiles() -> [String] {
    ["Sources", "Tests"].flatMap { top -> [String] in
      let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(top).path)
      return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }
        .map { "\(top)/\($0)" }
    }.sorted()
  }

  static func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
  }

  /// The section numbers docs/qemu-reference.md defines: its headings ("## 4.", "### 4.2")
  /// and its corner cases ("**9.17 ...").
  static func referenceSections() throws -> Set<String> {
    var sections: Set<String> = []
    for line in try text("docs/qemu-reference.md").split(separator: "\n") {
      let patterns = [#"^#{2,3} (\d+(?:\.\d+)?)\.? "#, #"^\* \*\*(9\.\d+) "#]
      for pattern in patterns {
        if let match = line.firstMatch(of: try Regex(pattern)),
          let number = match.output[1].substring
        {
          sections.insert(String(number))
        }
      }
    }
    return sections
  }

  @Test func linksToTheProjectsOwnFilesResolve() throws {
    var broken: [String] = []
    for file in try Self.markdownFiles() {
      let directory = URL(fileURLWithPath: file).deletingLastPathComponent().relativePath
      for match in try Self.text(file).matches(of: #/\]\(([^)\s]+)\)/#) {
        let target = String(match.output.1)
        guard !target.contains("://"), !target.hasPrefix("#"), !target.hasPrefix("mailto:")
        else { continue }
        let path = String(target.split(separator: "#", maxSplits: 1)[0])
        let resolved = Self.root.appendingPathComponent(directory).appendingPathComponent(path)
        if !FileManager.default.fileExists(atPath: resolved.standardizedFileURL.path) {
          broken.append("\(file): \(target)")
        }
      }
    }
    #expect(broken.isEmpty, "\(broken)")
  }

  /// A "§" citation names docs/qemu-reference.md's section unless a file name just before it
  /// says otherwise (qemu-migration.md numbers its own sections).
  @Test func everySectionCitedIsInTheReference() throws {
    let sections = try Self.referenceSections()
    #expect(sections.isSuperset(of: ["0", "4.2", "7.5", "8.1", "9.1", "9.53"]))
    var unknown: [String] = []
    for file in try Self.markdownFiles() + Self.swiftFiles()
    where file != "docs/qemu-migration.md" {
      let text = try Self.text(file)
      for match in text.matches(of: #/§ ?(\d+(?:\.\d+)?)(?: entr(?:y|ies) (\d+))?/#) {
        let before = text[..<match.range.lowerBound].suffix(40)
        if before.contains("qemu-migration.md") { continue }
        var number = String(match.output.1)
        if let entry = match.output.2 { number += ".\(entry)" }
        if !sections.contains(number) { unknown.append("\(file): §\(number)") }
      }
    }
    #expect(unknown.isEmpty, "\(unknown)")
  }

  @Test func nothingNamesAPathOfTheWritersMachine() throws {
    let markers = ["/work/", "../shared", "shared/reference", "/home/", "/root/"]
    var found: [String] = []
    let scenarios =
      (FileManager.default.enumerator(
        atPath: Self.root.appendingPathComponent("scenarios").path)?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix(".yaml") }.map { "scenarios/\($0)" }
    for file in try Self.markdownFiles() + Self.swiftFiles() + scenarios
    where file != "Tests/VMBusCLITests/Docs/DocumentationCitationTests.swift" {
      let text = try Self.text(file)
      for marker in markers where text.contains(marker) { found.append("\(file): \(marker)") }
    }
    #expect(found.isEmpty, "\(found)")
  }
}
