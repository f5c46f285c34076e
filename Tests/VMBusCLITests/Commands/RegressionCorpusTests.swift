import Foundation
import Testing

/// The regression corpus `fuzz` files into: never rewritten, named from the signature, and
/// checked against the signature each file records.
@Suite("CLI: regression corpus and signatures")
struct RegressionCorpusTests {
  /// Every file of `directory`: name → (bytes, modification date).
  static func snapshot(_ directory: String) throws -> [String: (Data, Date)] {
    var files: [String: (Data, Date)] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
      let path = directory + "/" + name
      let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate]
      files[name] = (
        try Data(contentsOf: URL(fileURLWithPath: path)), date as? Date ?? .distantPast
      )
    }
    return files
  }

  static func fuzz(_ dir: TemporaryDirectory, _ extra: String...) async throws -> [JSON] {
    let result = try await CLI.run(
      [
        "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "300", "--regressions",
        dir.path("regressions"), "--json", "--db", dir.database,
      ] + extra)
    #expect(result.exited && result.status == 1, "\(result.stderr)")
    return try JSON.parse(result.stdout)["failures"]?.elements ?? []
  }

  @Test("a second fuzz over the same directory leaves every file as it was and reports known")
  func neverRewritten() async throws {
    try await TemporaryDirectory.with { dir in
      let first = try await Self.fuzz(dir)
      #expect(!first.isEmpty)
      #expect(first.allSatisfy { $0["corpus"]?.string == "new" })
      let before = try Self.snapshot(dir.path("regressions"))
      #expect(before.count == first.count)
      // Past a file system's date granularity, so a rewrite would show in the dates too.
      try await Task.sleep(for: .milliseconds(1100))
      let second = try await Self.fuzz(dir)
      let after = try Self.snapshot(dir.path("regressions"))
      #expect(after.keys.sorted() == before.keys.sorted())
      for (name, file) in before {
        #expect(after[name]?.0 == file.0, "\(name) rewritten")
        #expect(after[name]?.1 == file.1, "\(name) touched")
      }
      #expect(second.allSatisfy { $0["corpus"]?.string == "known" })
      #expect(second.map { $0["minimal"]?.string } == first.map { $0["minimal"]?.string })
    }
  }

  @Test("--replace-smaller replaces a file recording a bigger case, and only with the option")
  func replaceSmaller() async throws {
    try await TemporaryDirectory.with { dir in
      let first = try await Self.fuzz(dir)
      let path = try #require(first.first?["minimal"]?.string)
      let original = try String(contentsOfFile: path, encoding: .utf8)
      // Trailing zero choices replay the same run but make the recorded case bigger.
      let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map {
        line -> String in
        guard line.hasPrefix("  choices: \"") else { return String(line) }
        let list = line.dropFirst("  choices: \"".count).dropLast()
        return "  choices: \"\(list.isEmpty ? "" : list + ",")0,0,0\""
      }
      let bigger = lines.joined(separator: "\n")
      #expect(bigger != original)
      try bigger.write(toFile: path, atomically: true, encoding: .utf8)
      let kept = try await Self.fuzz(dir)
      #expect(kept.first?["corpus"]?.string == "known")
      #expect(try String(contentsOfFile: path, encoding: .utf8) == bigger)
      let replaced = try await Self.fuzz(dir, "--replace-smaller")
      #expect(replaced.first?["corpus"]?.string == "replaced")
      #expect(replaced.dropFirst().allSatisfy { $0["corpus"]?.string == "known" })
      #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
    }
  }

  /// vmbus_init's route to a VP index with no vCPU (QEMU §9.13), recorded in the old form.
  @Test("check compares an old-form signature on the parts it holds, and notes it")
  func oldFormSignature() async throws {
    try await TemporaryDirectory.with { dir in
      // Today's file, its record turned back into the form fuzz wrote before signatures
      // were typed (what a user's own corpus may still hold).
      let current = try String(
        contentsOfFile: Repository.scenario(
          "regressions/qemu-host_fault-vmbus_init.unknown_vcpu.yaml"),
        encoding: .utf8)
      let original = current.replacingOccurrences(
        of:
          "signature: \"host_fault vmbus_init.unknown_vcpu @ vmbus_initiate_contact in handshake\"",
        with: "signature: \"host_fault unknown_vcpu @ vmbus_initiate_contact in handshake\"")
      #expect(original != current)
      let kept = try dir.write("old-form.yaml", original)
      let passing = try await CLI.run(["check", kept])
      #expect(passing.status == 0, "\(passing.stdout)")
      #expect(passing.stdout.contains("note: old-form signature"))
      let moved = try dir.write(
        "moved.yaml",
        original.replacingOccurrences(
          of: "vmbus_initiate_contact in handshake\"", with: "vmbus_initiate_contact in listen\""))
      let failing = try await CLI.run(["check", moved])
      #expect(failing.status == 1)
      #expect(failing.stdout.contains("bus state differ"), "\(failing.stdout)")
    }
  }

  /// A user's corpus may hold §9.53's file under its former root cause
  /// (`invariant.refcounts_balanced`): `check` passes it with a note, and a campaign that
  /// finds the failure counts that file as known instead of filing a second one.
  @Test("a file recorded under a root cause's former name stays that signature's file")
  func renamedRootCauseKeepsItsFile() async throws {
    try await TemporaryDirectory.with { dir in
      let name = "qemu-invariant-vmbus_post_load.gpadl_refcount_reset.yaml"
      let current = try String(
        contentsOfFile: Repository.scenario("regressions/" + name), encoding: .utf8)
      let former = current.replacingOccurrences(
        of: "invariant vmbus_post_load.gpadl_refcount_reset @",
        with: "invariant invariant.refcounts_balanced @")
      #expect(former != current)
      let regressions = dir.path("regressions")
      try FileManager.default.createDirectory(
        atPath: regressions, withIntermediateDirectories: true)
      let kept = regressions + "/qemu-invariant-invariant.refcounts_balanced.yaml"
      try former.write(toFile: kept, atomically: true, encoding: .utf8)
      let check = try await CLI.run(["check", kept])
      #expect(check.status == 0, "\(check.stdout)")
      #expect(
        check.stdout.contains(
          "root cause invariant.refcounts_balanced is now vmbus_post_load.gpadl_refcount_reset"),
        "\(check.stdout)")
      // The file's own scenario, fuzzed: its seeds find the failure again.
      let fuzz = try await CLI.run([
        "fuzz", kept, "--seeds", "40", "--regressions", regressions,
        "--db", dir.path("fuzz.sqlite"), "--json",
      ])
      let failures = try JSON.parse(fuzz.stdout)["failures"]?.elements ?? []
      let found = failures.first {
        $0["signature"]?["root_cause"]?.string == "vmbus_post_load.gpadl_refcount_reset"
          && $0["signature"]?["bus_state"]?.string == "listen"
      }
      #expect(found?["corpus"]?.string == "known", "\(fuzz.stdout)")
      #expect(try String(contentsOfFile: kept, encoding: .utf8) == former)
      let files = try FileManager.default.contentsOfDirectory(atPath: regressions)
      #expect(!files.contains(name), "\(files)")
    }
  }

  /// A file `fuzz` wrote before an outcome message was reworded holds the old words in
  /// `expect.message`: `check` still passes it, and the words it matches are today's.
  @Test("a file whose expected message holds a reworded phrase's former words still passes")
  func rewordedOutcomeMessageStillMatches() async throws {
    try await TemporaryDirectory.with { dir in
      let name = "linux-qemu-guest_hang-suspend.subchannels_never_rescinded.yaml"
      let current = try String(
        contentsOfFile: Repository.scenario("regressions/" + name), encoding: .utf8)
      let former = current.replacingOccurrences(
        of: "QEMU never rescinds a channel", with: "QEMU rescinds only when a device goes away")
      #expect(former != current)
      let kept = try dir.write(name, former)
      let check = try await CLI.run(["check", kept])
      #expect(check.status == 0, "\(check.stdout)")
      // Other words are still a mismatch.
      let wrong = try dir.write(
        "wrong-" + name,
        current.replacingOccurrences(
          of: "QEMU never rescinds a channel", with: "QEMU rescinds every channel"))
      let failing = try await CLI.run(["check", wrong])
      #expect(failing.status == 1, "\(failing.stdout)")
    }
  }

  /// For CI dashboards: the same verdicts as the text, one object.
  @Test("check --json gives each file's result, differences and notes, and the same exit status")
  func checkJSON() async throws {
    try await TemporaryDirectory.with { dir in
      let good = Repository.scenario("regressions/qemu-host_fault-vmbus_init.unknown_vcpu.yaml")
      let text = try String(contentsOfFile: good, encoding: .utf8)
      let moved = try dir.write(
        "moved.yaml",
        text.replacingOccurrences(
          of: "vmbus_initiate_contact in handshake\"", with: "vmbus_initiate_contact in listen\""))
      let result = try await CLI.run(["check", good, moved, "--json"])
      #expect(result.status == 1, "\(result.stderr)")
      let summary = try JSON.parse(result.stdout)
      #expect(summary["passed"]?.int == 1 && summary["failed"]?.int == 1, "\(result.stdout)")
      let files = summary["files"]?.elements ?? []
      #expect(files.map { $0["path"]?.string } == [good, moved])
      #expect(files.first?["differences"]?.elements.isEmpty == true)
      let differences = files.last?["differences"]?.elements.compactMap(\.string) ?? []
      #expect(differences.contains { $0.hasPrefix("signature: recorded") }, "\(differences)")
      let passing = try await CLI.run(["check", good, "--json"])
      #expect(passing.status == 0)
    }
  }

  @Test("--replace-smaller without regression files is a usage error")
  func replaceSmallerNeedsFiles() async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run(
        "fuzz", Repository.scenario("linux-open-close.yaml"), "--replace-smaller",
        "--no-regressions")
      #expect(result.status == 64)
      #expect(result.stderr.contains("--replace-smaller"))
      #expect(!dir.exists("sessions.sqlite"))
    }
  }

  /// send_unload posts UNLOAD_RESPONSE with no SINT route (§9 entry 42).
  @Test("a name another file holds is never written over: the new file takes a longer name")
  func takenName() async throws {
    try await TemporaryDirectory.with { dir in
      let regressions = dir.path("regressions")
      try FileManager.default.createDirectory(
        atPath: regressions, withIntermediateDirectories: true)
      let squatter = regressions + "/qemu-host_fault-send_unload.no_sint_route.yaml"
      try "# someone else's file\n".write(toFile: squatter, atomically: true, encoding: .utf8)
      let result = try await CLI.run(
        [
          "fuzz", Repository.scenario("qemu-unload.yaml"), "--seeds", "20", "--regressions",
          regressions, "--json", "--db", dir.database,
        ])
      let failures = try JSON.parse(result.stdout)["failures"]?.elements ?? []
      let unload = try #require(
        failures.first { $0["signature"]?["root_cause"]?.string == "send_unload.no_sint_route" })
      #expect(unload["corpus"]?.string == "new")
      #expect(
        unload["minimal"]?.string
          == regressions + "/qemu-host_fault-send_unload.no_sint_route-at-vmbus_post_msg.yaml")
      #expect(
        try String(contentsOfFile: squatter, encoding: .utf8) == "# someone else's file\n")
    }
  }

  @Test("file names come from profile, property and root cause, and are never cut")
  func fileNames() async throws {
    try await TemporaryDirectory.with { dir in
      let failures = try await Self.fuzz(dir)
      var names = Set<String>()
      for failure in failures {
        let path = try #require(failure["minimal"]?.string)
        let name = URL(fileURLWithPath: path).lastPathComponent
        let property = try #require(failure["signature"]?["property"]?.string)
        let cause = try #require(failure["signature"]?["root_cause"]?.string)
        #expect(name.hasPrefix("qemu-\(property)-\(cause)"), "\(name)")
        #expect(name.hasSuffix(".yaml"))
        #expect(names.insert(name).inserted)
      }
    }
  }

  /// send_unload posts UNLOAD_RESPONSE with no SINT route (§9 entry 42).
  @Test("run --json reports the signature object, null for a pass, and inputs beyond QEMU")
  func runJSON() async throws {
    try await TemporaryDirectory.with { dir in
      let unload = try JSON.parse(
        try await dir.run("run", Repository.scenario("qemu-unload.yaml"), "--json").stdout)
      #expect(unload["outcome"]?.string == "host_fault")
      let signature = try #require(unload["signature"])
      #expect(signature["property"]?.string == "host_fault")
      #expect(signature["root_cause"]?.string == "send_unload.no_sint_route")
      #expect(signature["trace_point"]?.string == "vmbus_post_msg")
      #expect(signature["bus_state"]?.string == "unload")
      #expect(
        signature["text"]?.string
          == "host_fault send_unload.no_sint_route @ vmbus_post_msg in unload")
      #expect(unload["beyond_qemu"]?.elements.isEmpty == true)
      let boot = try JSON.parse(
        try await dir.run("run", Repository.scenario("linux-open-close.yaml"), "--json").stdout)
      #expect(boot["signature"] == .null)
      let reset = try JSON.parse(
        try await dir.run(
          "run",
          Repository.scenario("beyond-qemu-device-reset.yaml"), "--json"
        ).stdout)
      #expect(reset["beyond_qemu"]?.elements.first?.string == "device_reset")
    }
  }

  @Test("check fails when a regression file records another signature than its re-run gives")
  func checkComparesSignature() async throws {
    try await TemporaryDirectory.with { dir in
      let failures = try await Self.fuzz(dir)
      let path = try #require(failures.first?["minimal"]?.string)
      let cause = try #require(failures.first?["signature"]?["root_cause"]?.string)
      let passing = try await CLI.run(["check", path])
      #expect(passing.status == 0, "\(passing.stdout)")
      let text = try String(contentsOfFile: path, encoding: .utf8)
        .replacingOccurrences(of: " \(cause) @ ", with: " other.cause @ ")
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      let check = try await CLI.run(["check", path])
      #expect(check.status == 1)
      #expect(check.stdout.contains("signature: recorded"), "\(check.stdout)")
      #expect(check.stdout.contains("other.cause"))
    }
  }
}
