import Testing
import VMBusHost

@testable import VMBusSim

#if canImport(Glibc)
  import Glibc
#endif

/// Every scenario under `scenarios/` runs to the outcome it declares.
@Suite("Bundled scenarios")
struct BundledScenarioTests {
  /// The repository's `scenarios/` folder, found from this file's path.
  static let directory: String = {
    var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(4)
    return components.joined(separator: "/") + "/scenarios"
  }()

  static let files: [String] = files(in: directory)

  /// The `.yaml` names in `directory`, sorted.
  static func files(in directory: String) -> [String] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name.hasSuffix(".yaml") { names.append(name) }
    }
    return names.sorted()
  }

  static func read(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      if count <= 0 { break }
      bytes += buffer.prefix(count)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  @Test("there are at least 15 bundled scenarios")
  func enoughScenarios() {
    #expect(Self.files.count >= 15, "\(Self.files)")
  }

  @Test("runs to its declared outcome, deterministically, and its events refold", arguments: files)
  func scenario(file: String) throws {
    let path = Self.directory + "/" + file
    let text = try #require(Self.read(path))
    let scenario = try ScenarioParser.parse(text, file: "scenarios/" + file)
    let run = Simulation.run(scenario, seed: 0)
    #expect(run.outcome.satisfies(scenario.expected), "\(file): \(run.outcome)")
    let again = Simulation.run(scenario, seed: 0)
    #expect(again.events == run.events)
    let refolded = HostState.fold(run.events)
    #expect(refolded.state == run.finalState)
    #expect(refolded.violations.isEmpty, "\(refolded.violations.map(\.violation))")
  }
}
