import Foundation
import Testing

/// `findings` reads back what a database's campaigns found: what `fuzz` printed at its end,
/// or what a killed campaign had committed, with how to continue it.
@Suite("CLI: findings")
struct FindingsCommandTests {
  /// A finding as both JSON reports write it.
  static func failures(_ json: JSON) -> [String] {
    (json["failures"]?.elements ?? []).map {
      "\($0["signature"]?["text"]?.string ?? "") \($0["count"]?.int ?? -1) "
        + "\($0["first_seed"]?.int ?? -1)"
    }.sorted()
  }

  static func rules(_ json: JSON) -> [String] {
    (json["guest_error_rules"]?.elements ?? []).map {
      "\($0["rule"]?.string ?? "") \($0["count"]?.int ?? -1) \($0["lowest_seed"]?.int ?? -1) "
        + "\($0["minimal_steps"]?.int ?? -1)"
    }.sorted()
  }

  @Test("findings lists what fuzz found, in text and JSON")
  func listsWhatFuzzFound() async throws {
    try await TemporaryDirectory.with { dir in
      let database = dir.path("campaign.sqlite")
      let scenario = Repository.scenario("linux-open-close.yaml")
      let fuzz = try await CLI.run([
        "fuzz", scenario, "--seeds", "300", "--guest", "any", "--no-regressions", "--json",
        "--db", database,
      ])
      #expect(fuzz.status == 1, "\(fuzz.stderr)")
      let found = try JSON.parse(fuzz.stdout)
      #expect(!Self.failures(found).isEmpty && !Self.rules(found).isEmpty)

      let json = try await CLI.run(["findings", "--db", database, "--json"])
      #expect(json.status == 0, "\(json.stderr)")
      let listed = try JSON.parse(json.stdout)
      #expect(Self.failures(listed) == Self.failures(found))
      #expect(Self.rules(listed) == Self.rules(found))
      let campaigns = listed["campaigns"]?.elements ?? []
      #expect(campaigns.count == 1)
      #expect(campaigns.first?["status"]?.string == "finished")
      #expect(campaigns.first?["seeds_done"]?.int == 300)
      #expect(campaigns.first?["scenarios"]?.elements.first?.string == scenario)
      #expect(
        campaigns.first?["options"]?.elements.compactMap(\.string)
          == ["--guest", "any", "--seeds", "300"])

      let text = try await CLI.run(["findings", "--db", database])
      #expect(text.status == 0)
      #expect(text.stdout.contains("campaigns in \(database):"), "\(text.stdout)")
      #expect(text.stdout.contains("finished  \(scenario) --guest any --seeds 300"))
      for failure in found["failures"]?.elements ?? [] {
        let signature = failure["signature"]?["text"]?.string ?? "?"
        #expect(text.stdout.contains("  \(signature)  ("), "\(signature)")
      }
      #expect(text.stdout.contains("guest errors by rule, over every campaign"))
    }
  }

  /// The listed options repeat the campaign: with --resume they find it.
  @Test("a campaign that did not finish is listed as running, with the command that continues it")
  func unfinishedCampaign() async throws {
    try await TemporaryDirectory.with { dir in
      let database = dir.path("killed.sqlite")
      let scenario = Repository.scenario("linux-open-close.yaml")
      let fuzz = try await CLI.run([
        "fuzz", scenario, "--seeds", "40", "--shard", "1/2", "--no-regressions", "--db", database,
      ])
      #expect(fuzz.status <= 1, "\(fuzz.stderr)")
      try StoreInspector.damage(
        database, sql: "UPDATE fuzz_campaigns SET status = 'running', seeds_done = 16")
      let text = try await CLI.run(["findings", "--db", database])
      #expect(text.stdout.contains("running   \(scenario) --guest any --seeds 40 --shard 1/2"))
      #expect(text.stdout.contains("plus --resume --db \(database) continues it"), "\(text.stdout)")
      let listed = try JSON.parse(
        try await CLI.run(["findings", "--db", database, "--json"]).stdout)
      let options = listed["campaigns"]?.elements.first?["options"]?.elements ?? []
      let resumed = try await CLI.run(
        ["fuzz", scenario] + options.compactMap(\.string)
          + ["--no-regressions", "--resume", "--db", database, "--json"])
      #expect(resumed.status <= 1, "\(resumed.stderr)")
      #expect(try JSON.parse(resumed.stdout)["resumed_seeds"]?.int == 16)
    }
  }

  /// A database written before §9.53 had QEMU's name holds it under the invariant's, and one
  /// that a later build added to holds it under both (docs/fuzzing.md, renamed root causes).
  @Test("a failure stored under a root cause's former name is listed once, under today's")
  func renamedRootCauseListedOnce() async throws {
    try await TemporaryDirectory.with { dir in
      let database = dir.path("renamed.sqlite")
      let shard = dir.path("old-shard.sqlite")
      for (path, seeds) in [(database, "60"), (shard, "30")] {
        let fuzz = try await CLI.run([
          "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", seeds,
          "--no-regressions", "--db", path,
        ])
        #expect(fuzz.status <= 1, "\(fuzz.stderr)")
      }
      let former = "invariant invariant.refcounts_balanced @ sim_migrated in listen"
      let current = "invariant vmbus_post_load.gpadl_refcount_reset @ sim_migrated in listen"
      // Elsewhere the former name still means the invariant: kept as it is.
      let elsewhere = "invariant invariant.refcounts_balanced @ vmbus_gpadl_torndown in listen"
      func insert(_ signature: String, count: Int, seed: Int) -> String {
        """
        INSERT INTO fuzz_failures (host_profile, signature, property, count, first_seed,
          detail, regression_text) VALUES ('qemu', '\(signature)', 'invariant', \(count),
          \(seed), 'seed \(seed)', '');
        """
      }
      try StoreInspector.damage(
        database,
        sql: insert(former, count: 2, seed: 5) + insert(current, count: 3, seed: 9)
          + insert(elsewhere, count: 1, seed: 7))
      try StoreInspector.damage(shard, sql: insert(former, count: 4, seed: 2))

      let listed = try JSON.parse(
        try await CLI.run(["findings", "--db", database, "--json"]).stdout)
      let failures = Self.failures(listed)
      #expect(failures.contains("\(current) 5 5"), "\(failures)")
      #expect(failures.contains("\(elsewhere) 1 7"))
      #expect(!failures.contains { $0.hasPrefix(former) })
      let text = try await CLI.run(["findings", "--db", database])
      #expect(text.stdout.contains("  \(current)  ("), "\(text.stdout)")
      #expect(!text.stdout.contains(former))

      // Merged, the shard's row under the former name joins the target's.
      let merged = try await CLI.run(["merge", shard, "--db", database, "--json"])
      #expect(merged.status == 0, "\(merged.stderr)")
      let mergedFailures = Self.failures(try JSON.parse(merged.stdout))
      #expect(mergedFailures.contains("\(current) 9 2"), "\(mergedFailures)")
      #expect(!mergedFailures.contains { $0.hasPrefix(former) })
    }
  }

  @Test("findings of a database with no campaign says so; a missing database is exit 66")
  func nothingToList() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.runScenario("linux-open-close.yaml")
      let empty = try await dir.run("findings")
      #expect(empty.status == 0)
      #expect(empty.stdout.contains("no fuzz campaign and no failure stored"), "\(empty.stdout)")
      let missing = try await CLI.run(["findings", "--db", dir.path("none.sqlite")])
      #expect(missing.status == 66)
      #expect(missing.stderr.contains("none.sqlite: no such database"), "\(missing.stderr)")
    }
  }
}
