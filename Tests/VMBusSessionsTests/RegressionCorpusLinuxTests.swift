import Foundation
import Testing
import VMBusSim

@testable import VMBusSessions

/// Which regression files record a Linux guest's finding (`Scenario.beyondLinux`): what Linux
/// mode itself inserts (a migration) does not disqualify a file, and what it never does (a
/// message page taken away) does.
@Suite struct RegressionCorpusLinuxTests {
  /// The typed signature a bundled regression file records.
  static func signature(_ name: String) throws -> FailureSignature {
    let path = Bundled.scenario("regressions/\(name)")
    let scenario = try ScenarioParser.parse(
      String(contentsOfFile: path, encoding: .utf8), file: path)
    guard case .typed(let signature) = try #require(scenario.regression).signature else {
      Issue.record("\(name) records no typed signature")
      throw CancellationError()
    }
    return signature
  }

  /// A corpus of copies of the named bundled regression files.
  static func corpus(_ names: [String], in space: Workspace) throws -> RegressionCorpus {
    let directory = space.path("regressions")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for name in names {
      try FileManager.default.copyItem(
        atPath: Bundled.scenario("regressions/\(name)"), toPath: "\(directory)/\(name)")
    }
    return try RegressionCorpus(directory: directory)
  }

  @Test("a Linux file with the machine's migration records the Linux finding")
  func aMigrationKeepsAFileALinuxGuests() throws {
    let name = "linux-qemu-host_fault-vmbus_post_load.channel_state_not_loaded.yaml"
    try Workspace.with { space in
      let corpus = try Self.corpus([name], in: space)
      let found = corpus.existing(try Self.signature(name), profile: .qemu, inputs: .linux)
      #expect(found.map { URL(fileURLWithPath: $0.path).lastPathComponent } == name)
    }
  }

  @Test("a file whose message page faults Linux never makes records only the raw finding")
  func messagePageFaultsAreBeyondLinux() throws {
    let name = "qemu-guest_hang-msg_cb.fatal_reset.yaml"
    try Workspace.with { space in
      let corpus = try Self.corpus([name], in: space)
      let signature = try Self.signature(name)
      #expect(corpus.existing(signature, profile: .qemu, inputs: .linux) == nil)
      #expect(corpus.existing(signature, profile: .qemu, inputs: .any) != nil)
      // The name a Linux finding of that signature takes is its own.
      #expect(
        corpus.freeName(for: signature, profile: .qemu, inputs: .linux)
          == "linux-qemu-guest_hang-msg_cb.fatal_reset")
    }
  }
}
