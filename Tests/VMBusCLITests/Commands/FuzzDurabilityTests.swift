import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fuzz campaign killed with SIGKILL keeps what it committed, and `--resume` ends it
/// with what an uninterrupted campaign over the same seeds records.
@Suite("CLI: fuzz durability")
struct FuzzDurabilityTests {
  static let seeds = "160"

  /// What a database records of its failures: every column that must not depend on a kill.
  static func failures(_ path: String) throws -> [String] {
    try StoreInspector.open(path).read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT host_profile, signature, count, first_seed, detail, regression_text
          FROM fuzz_failures ORDER BY host_profile, signature
          """
      ).map(\.description)
    }
  }

  /// Findings committed so far and the checkpoint's watermark.
  static func committed(_ path: String) throws -> (findings: Int, seedsDone: Int) {
    try StoreInspector.open(path).read { db in
      guard try db.tableExists("fuzz_campaigns") else { return (0, 0) }
      return (
        try Int.fetchOne(db, sql: "SELECT count(*) FROM fuzz_failures") ?? 0,
        try Int.fetchOne(db, sql: "SELECT max(seeds_done) FROM fuzz_campaigns") ?? 0
      )
    }
  }

  /// The status of each failure's minimal session (nil when it has none).
  static func sessionStatuses(_ path: String) throws -> [String?] {
    try StoreInspector.open(path).read { db in
      try String?.fetchAll(
        db,
        sql: """
          SELECT s.status FROM fuzz_failures f LEFT JOIN sessions s ON s.id = f.session_id
          ORDER BY f.signature
          """)
    }
  }

  static func campaignStatuses(_ path: String) throws -> [String] {
    try StoreInspector.open(path).read { db in
      try String.fetchAll(db, sql: "SELECT status FROM fuzz_campaigns ORDER BY id")
    }
  }

  static func campaignStatus(_ path: String) throws -> String? {
    try StoreInspector.open(path).read { db in
      try String.fetchOne(db, sql: "SELECT status FROM fuzz_campaigns")
    }
  }

  /// Starts `arguments` (a campaign writing to `database`) and kills it with SIGKILL once a
  /// finding and a watermark past the first block are committed; returns what was committed.
  /// The campaign stops itself after each commit, so it cannot end unseen however busy the
  /// test runner is.
  static func killAfterFirstFinding(
    _ arguments: [String], database: String, in dir: TemporaryDirectory
  ) async throws -> (findings: Int, seedsDone: Int) {
    let process = try CLI.start(
      arguments, environment: [CLI.stopAtEachCommit: "1"], in: dir.url)
    var seen = (findings: 0, seedsDone: 0)
    while await CLI.waitUntilStopped(process) {
      seen = try committed(database)
      if seen.findings >= 1 && seen.seedsDone >= 1 { break }
      kill(process.processIdentifier, SIGCONT)
    }
    try #require(
      process.isRunning, "the campaign ended before a finding and a watermark were committed")
    kill(process.processIdentifier, SIGKILL)
    await CLI.waitForExit(process)
    #expect(process.terminationReason == .uncaughtSignal)
    return seen
  }

  @Test("kill -9 keeps the committed findings with their sessions; --resume ends as one run does")
  func killedCampaignResumes() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-open-close.yaml")
      let arguments = ["fuzz", scenario, "--seeds", Self.seeds, "--no-regressions", "--json"]
      let whole = try await CLI.run(
        arguments + ["--jobs", "1", "--db", dir.path("whole.sqlite")], in: dir.url)
      #expect(whole.status == 1, "\(whole)")

      let killed = dir.path("killed.sqlite")
      let seen = try await Self.killAfterFirstFinding(
        arguments + ["--jobs", "2", "--db", killed], database: killed, in: dir)

      // The file opens cleanly and holds the findings, each with its complete session.
      #expect(try StoreInspector.integrityCheck(killed) == ["ok"])
      let kept = try Self.sessionStatuses(killed)
      #expect(kept.count >= seen.findings)
      for status in kept { #expect(status == "complete") }
      #expect(try Self.campaignStatus(killed) == "running")

      let resumed = try await CLI.run(
        arguments + ["--jobs", "2", "--resume", "--db", killed], in: dir.url)
      #expect(resumed.status == 1, "\(resumed)")
      let summary = try JSON.parse(resumed.stdout)
      #expect((summary["resumed_seeds"]?.int ?? 0) >= seen.seedsDone)
      #expect(summary["runs"]?.int == Int(Self.seeds))
      let wholeSummary = try JSON.parse(whole.stdout)
      func findings(_ json: JSON) -> [String] {
        (json["failures"]?.elements ?? []).map { failure in
          [
            failure["signature"]?["text"]?.string ?? "", "\(failure["count"]?.int ?? 0)",
            "\(failure["first_seed"]?.int ?? 0)", "\(failure["minimal_steps"]?.int ?? 0)",
            "\(failure["minimal_choices"]?.int ?? 0)",
          ].joined(separator: " ")
        }
      }
      #expect(findings(summary) == findings(wholeSummary))
      #expect(summary["guest_errors"]?.int == wholeSummary["guest_errors"]?.int)
      // The rules the guests broke, as the checkpoints kept them across the kill.
      func rules(_ json: JSON) -> [String] {
        (json["guest_error_rules"]?.elements ?? []).map { rule in
          ["rule", "count", "lowest_seed", "minimal_steps"]
            .map { rule[$0]?.string ?? "\(rule[$0]?.int ?? -1)" }.joined(separator: " ")
        }
      }
      #expect(!rules(wholeSummary).isEmpty)
      #expect(rules(summary) == rules(wholeSummary))
      #expect(try Self.failures(killed) == Self.failures(dir.path("whole.sqlite")))
      #expect(try Self.campaignStatus(killed) == "finished")

      // Nothing is left to resume.
      let again = try await CLI.run(arguments + ["--resume", "--db", killed], in: dir.url)
      #expect(again.status == 64)
      #expect(again.stderr.contains("no unfinished fuzz campaign"))
    }
  }

  /// The guest-error rules stored so far: each rule with whether its case is stored.
  static func guestErrorCases(_ path: String) throws -> [String: Bool] {
    try StoreInspector.open(path).read { db in
      guard try db.tableExists("fuzz_campaign_guest_errors") else { return [:] }
      var cases: [String: Bool] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT rule, session_id IS NOT NULL AS stored FROM fuzz_campaign_guest_errors")
      {
        cases[row["rule"]] = row["stored"]
      }
      return cases
    }
  }

  @Test("kill -9 between two guest errors' cases: --resume stores the rest, as one run does")
  func killedWhileStoringGuestErrorCases() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-open-close.yaml")
      // 400 seeds of this scenario break three rules (docs/fuzzing.md).
      let arguments = ["fuzz", scenario, "--seeds", "400", "--no-regressions", "--json"]
      let whole = try await CLI.run(arguments + ["--db", dir.path("whole.sqlite")], in: dir.url)
      let wholeRules = try JSON.parse(whole.stdout)["guest_error_rules"]?.elements ?? []
      #expect(wholeRules.count >= 2, "\(whole.stdout)")

      let killed = dir.path("killed.sqlite")
      let process = try CLI.start(
        arguments + ["--db", killed], environment: [CLI.stopAtEachCommit: "1"], in: dir.url)
      var cases: [String: Bool] = [:]
      while await CLI.waitUntilStopped(process) {
        cases = try Self.guestErrorCases(killed)
        if cases.values.contains(true) { break }
        kill(process.processIdentifier, SIGCONT)
      }
      try #require(process.isRunning, "the campaign ended before a guest error's case was stored")
      kill(process.processIdentifier, SIGKILL)
      await CLI.waitForExit(process)
      // One case stored, the others not yet, and the campaign not finished.
      #expect(cases.values.filter { $0 }.count == 1, "\(cases)")
      #expect(cases.count == wholeRules.count)
      #expect(try Self.campaignStatus(killed) == "running")

      let resumed = try await CLI.run(arguments + ["--resume", "--db", killed], in: dir.url)
      #expect(resumed.status <= 1, "\(resumed.stderr)")
      let resumedRules = try JSON.parse(resumed.stdout)["guest_error_rules"]?.elements ?? []
      func rules(_ rules: [JSON]) -> [String] {
        rules.map { rule in
          ["rule", "count", "lowest_seed", "minimal_steps"]
            .map { rule[$0]?.string ?? "\(rule[$0]?.int ?? -1)" }.joined(separator: " ")
        }
      }
      #expect(rules(resumedRules) == rules(wholeRules))
      for rule in resumedRules { #expect(rule["session"]?.int != nil, "\(rule)") }
      #expect(try Self.guestErrorCases(killed).values.allSatisfy { $0 })
      #expect(try Self.campaignStatus(killed) == "finished")
    }
  }

  @Test("--resume refuses a campaign of other inputs, naming what differs")
  func resumeRefusesOtherIdentity() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-open-close.yaml")
      // An unfinished campaign, as a kill leaves it.
      let finished = try await dir.run("fuzz", scenario, "--seeds", "1", "--no-regressions")
      #expect(finished.status <= 1, "\(finished)")
      try StoreInspector.damage(
        dir.database,
        sql: """
          INSERT INTO fuzz_campaigns (identity, status) VALUES ('{"seeds":5}', 'running')
          """)
      let result = try await dir.run(
        "fuzz", scenario, "--seeds", "10", "--no-regressions", "--resume")
      #expect(result.status == 64, "\(result)")
      #expect(
        result.stderr.contains("the unfinished campaign 2 ran other inputs")
          && result.stderr.contains("or drop --resume"))
      #expect(result.stderr.contains("seeds: 5, not 10"))
    }
  }

  /// A seed means a mutation and a schedule only within one build: a campaign another build
  /// ran (or one recorded before builds were) is not resumed, and the message says why.
  @Test("--resume refuses a campaign another build ran, naming both builds")
  func resumeRefusesAnotherBuild() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-open-close.yaml")
      let arguments = ["fuzz", scenario, "--seeds", "3", "--no-regressions"]
      let first = try await dir.run(arguments)
      #expect(first.status <= 1, "\(first)")
      for edit in ["json_set(identity, '$.build', 'feedface')", "json_remove(identity, '$.build')"]
      {
        try StoreInspector.damage(
          dir.database,
          sql: "UPDATE fuzz_campaigns SET status = 'running', identity = \(edit) WHERE id = 1")
        let result = try await dir.run(arguments + ["--resume"])
        #expect(result.status == 64, "\(result)")
        #expect(
          result.stderr.contains(
            "the unfinished campaign 1 ran the same inputs with another build of vmbus-sim ("),
          "\(result.stderr)")
        #expect(
          result.stderr.contains(
            edit.hasPrefix("json_set")
              ? "build ID feedface; this one is " : "a build that recorded none"),
          "\(result.stderr)")
        // `findings` says which build continues it.
        let findings = try await dir.run("findings")
        #expect(
          findings.stdout.contains(
            edit.hasPrefix("json_set")
              ? "run by the build that began it (build ID feedface)"
              : "run by the build that began it (one that recorded no build ID)"),
          "\(findings.stdout)")
      }
      let listed = try JSON.parse(try await dir.run("findings", "--json").stdout)
      #expect(listed["campaigns"]?.elements.first?["build"] == .null)
    }
  }

  /// A batch node preempted after the merge ran: the shard's campaign, merged unfinished, is
  /// resumed in the merged database, which then holds what merging the finished shards does.
  @Test("a shard merged unfinished and resumed in the merged database ends as merged finished")
  func resumeInTheMergedDatabase() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-open-close.yaml")
      func shard(_ index: Int) -> [String] {
        ["fuzz", scenario, "--seeds", "400", "--shard", "\(index)/2", "--no-regressions", "--json"]
      }
      for (index, name) in [(0, "whole0"), (1, "whole1")] {
        let run = try await CLI.run(shard(index) + ["--db", dir.path("\(name).sqlite")])
        #expect(run.status <= 1, "\(run.stderr)")
      }
      let reference = dir.path("reference.sqlite")
      let merged = try await CLI.run(
        ["merge", dir.path("whole0.sqlite"), dir.path("whole1.sqlite"), "--db", reference])
      #expect(merged.status == 0, "\(merged)")
      #expect(try !Self.guestErrorRules(reference).isEmpty)
      #expect(try Self.minimalCases(reference).count >= 2)

      let killed = dir.path("killed.sqlite")
      _ = try await Self.killAfterFirstFinding(
        shard(0) + ["--db", killed], database: killed, in: dir)
      let target = dir.path("merged.sqlite")
      let early = try await CLI.run(
        ["merge", killed, dir.path("whole1.sqlite"), "--db", target])
      #expect(early.status == 0 && early.stdout.contains("had not finished"), "\(early)")
      let resumed = try await CLI.run(shard(0) + ["--resume", "--db", target])
      #expect(resumed.status <= 1, "\(resumed.stderr)")

      #expect(try Self.failures(target) == Self.failures(reference))
      #expect(try Self.guestErrorRules(target) == Self.guestErrorRules(reference))
      #expect(try Self.minimalCases(target) == Self.minimalCases(reference))
      #expect(try Self.campaignStatuses(target) == ["finished", "finished"])
    }
  }

  /// The guest errors by rule over every campaign, as `merge` lists them.
  static func guestErrorRules(_ path: String) throws -> [String] {
    try StoreInspector.open(path).read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT rule, sum(count), min(lowest_seed) FROM fuzz_campaign_guest_errors
          GROUP BY rule ORDER BY rule
          """
      ).map(\.description)
    }
  }

  /// Each failure's minimal case, by the text of its session's scenario.
  static func minimalCases(_ path: String) throws -> [String] {
    try StoreInspector.open(path).read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT f.signature, s.scenario_text FROM fuzz_failures f
          LEFT JOIN sessions s ON s.id = f.session_id ORDER BY f.host_profile, f.signature
          """
      ).map(\.description)
    }
  }
}
