import Foundation
import GRDB
import Testing

/// docs/scale-out.md on a real Slurm: `.ci/slurm-up` starts a one-node cluster, and the
/// documented job array, merged, must find what one process finds over the same seeds.
@Suite("CLI: a campaign as a Slurm job array")
struct ScaleOutTests {
  /// Whether a Slurm node answers here. CI sets `VMBUS_SIM_REQUIRE_SLURM` once
  /// `.ci/slurm-up` brought one up, so the test then runs (and fails) whatever `sinfo` says.
  static let slurmUp: Bool = {
    if ProcessInfo.processInfo.environment["VMBUS_SIM_REQUIRE_SLURM"] == "1" { return true }
    guard let result = try? Self.runTool("sinfo", ["-h", "-o", "%t"]) else { return false }
    return result.status == 0
      && result.output.split(separator: "\n").contains { ["idle", "mix", "alloc"].contains($0) }
  }()

  @Test(
    "three array tasks, merged, find what one process finds: signatures, counts, first seeds, minimal cases",
    .enabled(if: slurmUp, "no Slurm node here; .ci/slurm-up starts one"))
  func slurmArrayEqualsOneProcess() async throws {
    try await TemporaryDirectory.with { dir in
      let executable = try #require(CLI.executable)
      let script = Repository.root.appendingPathComponent("docs/scale-out/fuzz-array.sbatch").path
      let scenario = Repository.scenario("linux-open-close.yaml")
      let path =
        executable.deletingLastPathComponent().path + ":"
        + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
      let submit = try Self.runTool(
        "sbatch",
        [
          "--wait", "--chdir", dir.url.path, "--export", "ALL,PATH=\(path)", script, scenario,
          "100",
        ])
      #expect(submit.status == 0, "\(submit.output)")
      let shards = (0..<3).map { dir.path("shard-\($0).sqlite") }
      for shard in shards {
        #expect(FileManager.default.fileExists(atPath: shard), "\(shard) was not written")
      }
      let merge = try await CLI.run(["merge"] + shards + ["--db", dir.path("merged.sqlite")])
      #expect(merge.status == 0, "\(merge.stderr)")

      let single = try await CLI.run(
        [
          "fuzz", scenario, "--seeds", "300", "--no-regressions", "--db", dir.path("single.sqlite"),
        ])
      #expect(single.exited && single.status <= 1, "\(single.stderr)")
      let merged = try Self.failures(dir.path("merged.sqlite"))
      #expect(!merged.isEmpty)
      #expect(merged == (try Self.failures(dir.path("single.sqlite"))))
      let rules = try Self.guestErrorRules(dir.path("merged.sqlite"))
      #expect(!rules.isEmpty)
      #expect(rules == (try Self.guestErrorRules(dir.path("single.sqlite"))))
    }
  }

  /// The guest errors of every campaign of a database, by rule, as one comparable line
  /// each: the counts added up, the lowest seed, and the text of its shrunk case.
  static func guestErrorRules(_ database: String) throws -> [String] {
    try StoreInspector.open(database).read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT rule, count, lowest_seed, minimal_steps, scenario_text
          FROM fuzz_campaign_guest_errors LEFT JOIN sessions ON sessions.id = session_id
          ORDER BY campaign_id
          """)
      var rules: [String: (count: Int, seed: Int64, minimal: String)] = [:]
      for row in rows {
        let rule: String = row["rule"]
        let count: Int = row["count"]
        let seed: Int64 = row["lowest_seed"]
        let steps: Int = row["minimal_steps"] ?? -1
        let text: String = row["scenario_text"] ?? "no case"
        let known = rules[rule] ?? (0, seed, "\(steps) steps\n\(text)")
        rules[rule] = (
          known.count + count, min(known.seed, seed),
          seed < known.seed ? "\(steps) steps\n\(text)" : known.minimal
        )
      }
      return rules.sorted { $0.key < $1.key }.map { rule, tally in
        "\(rule) count \(tally.count) lowest seed \(tally.seed): \(tally.minimal)"
      }
    }
  }

  /// Each stored failure as one comparable line: signature, count, first seed and the
  /// minimal case's text.
  static func failures(_ database: String) throws -> [String] {
    try StoreInspector.open(database).read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT host_profile, signature, count, first_seed, regression_text
          FROM fuzz_failures ORDER BY host_profile, signature
          """
      ).map { row in
        let text: String = row["regression_text"] ?? ""
        let profile: String = row["host_profile"]
        let signature: String = row["signature"]
        let count: Int = row["count"]
        let seed: Int64 = row["first_seed"]
        return "\(profile) \(signature) count \(count) first seed \(seed)\n\(text)"
      }
    }
  }

  /// Runs a Slurm command and collects its output (standard output and error together).
  static func runTool(_ name: String, _ arguments: [String]) throws -> (
    status: Int32, output: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
