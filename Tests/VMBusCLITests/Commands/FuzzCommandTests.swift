import Foundation
import GRDB
import Testing
import VMBusTesting

/// `fuzz`, `check` and `merge` through the built executable.
@Suite("CLI: fuzz, check, merge")
struct FuzzCommandTests {
  @Test("fuzz finds QEMU failures, writes regression files that check passes, and reports JSON")
  func fuzzThenCheck() async throws {
    try await TemporaryDirectory.with { dir in
      let regressions = dir.path("regressions")
      let fuzz = try await dir.run(
        "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "200", "--regressions",
        regressions, "--json")
      #expect(fuzz.exited && fuzz.status == 1, "failures found: exit 1; \(fuzz.stderr)")
      let summary = try JSON.parse(fuzz.stdout)
      #expect(summary["runs"]?.int == 200)
      // Guest errors are counted apart, never among the failures.
      #expect(summary["guest_errors"]?.int != nil)
      let failures = summary["failures"]?.elements ?? []
      #expect(!failures.isEmpty)
      for failure in failures {
        // QEMU's failures: never a guest error, nor the tool's own (a fold that disagrees
        // with the live state, a seed that ran differently twice).
        #expect(
          ["host_fault", "guest_hang", "invariant", "illegal_transition", "duplicate_reply"]
            .contains(failure["property"]?.string ?? ""), "\(failure)")
        let minimal = try #require(failure["minimal"]?.string)
        #expect(FileManager.default.fileExists(atPath: minimal))
        #expect((failure["count"]?.int ?? 0) >= 1)
        // How long the campaign ran before it first saw this signature.
        let first = try #require(failure["seconds_to_first"]?.number)
        #expect(first >= 0 && first <= (summary["seconds"]?.number ?? 0) + 1)
      }
      let check = try await CLI.run(["check", regressions])
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.contains("\(failures.count) passed, 0 failed"))
      // The stored minimal sessions verify: their re-runs replay the pinned choices.
      let sessions = try await dir.run("sessions", "--json")
      for line in try JSON.parseLines(sessions.stdout) {
        let session = try #require(line["session"]?.int)
        let verify = try await dir.run("verify", "\(session)")
        #expect(verify.status == 0, "\(verify.stdout)")
      }
    }
  }

  @Test("check shows where a regression file's recorded events diverge, as a diff")
  func checkShowsDivergence() async throws {
    try await TemporaryDirectory.with { dir in
      let regressions = dir.path("regressions")
      _ = try await dir.run(
        "fuzz", Repository.scenario("qemu-gpadl-body.yaml"), "--seeds", "20", "--regressions",
        regressions)
      let files = try FileManager.default.contentsOfDirectory(atPath: regressions).sorted()
      let file = regressions + "/" + (try #require(files.first))
      let text = try String(contentsOfFile: file, encoding: .utf8)
        .replacingOccurrences(
          of: "vmbus_post_msg type 15 size 12", with: "vmbus_post_msg type 15 size 99")
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      let check = try await CLI.run(["check", file])
      #expect(check.status == 1)
      #expect(check.stdout.contains("events diverge at seq"))
      #expect(check.stdout.contains("- #") && check.stdout.contains("+ #"))
      #expect(check.stdout.contains("0 passed, 1 failed"))
    }
  }

  @Test("shards split the seeds; merge deduplicates their failures by signature")
  func shardsAndMerge() async throws {
    try await TemporaryDirectory.with { dir in
      var signatures: [Set<String>] = []
      var guestErrors: [String: (count: Int, lowestSeed: Int)] = [:]
      for shard in 0..<2 {
        let result = try await CLI.run(
          [
            "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "80", "--shard",
            "\(shard)/2", "--db", dir.path("shard\(shard).sqlite"), "--no-regressions", "--json",
          ])
        let summary = try JSON.parse(result.stdout)
        let failures = summary["failures"]?.elements ?? []
        signatures.append(Set(failures.compactMap { $0["signature"]?["text"]?.string }))
        for rule in summary["guest_error_rules"]?.elements ?? [] {
          let name = try #require(rule["rule"]?.string)
          let count = try #require(rule["count"]?.int)
          let seed = try #require(rule["lowest_seed"]?.int)
          let known = guestErrors[name] ?? (0, seed)
          guestErrors[name] = (known.count + count, min(known.lowestSeed, seed))
        }
      }
      #expect(!guestErrors.isEmpty)
      let shards = [dir.path("shard0.sqlite"), dir.path("shard1.sqlite")]
      let merge = try await CLI.run(["merge"] + shards + ["--db", dir.path("all.sqlite")])
      #expect(merge.status == 0, "\(merge.stderr)")
      let union = signatures[0].union(signatures[1])
      let shared = signatures[0].intersection(signatures[1])
      #expect(merge.stdout.contains("\(union.count) new failures"), "\(merge.stdout)")
      #expect(merge.stdout.contains("\(shared.count) merged into existing ones"))
      #expect(merge.stdout.contains("2 campaigns copied"))
      for (rule, tally) in guestErrors {
        #expect(
          merge.stdout.contains("  \(rule)  (\(tally.count)×, lowest seed \(tally.lowestSeed))"),
          "\(merge.stdout)")
      }

      // The JSON lists what the merged database holds: each signature once, and the
      // shards' guest errors added up by rule, each with the lowest seed's case.
      let json = try await CLI.run(
        ["merge"] + shards + ["--db", dir.path("json.sqlite"), "--json"])
      #expect(json.status == 0, "\(json.stderr)")
      let merged = try JSON.parse(json.stdout)
      #expect(merged["campaigns_copied"]?.int == 2)
      let failures = merged["failures"]?.elements ?? []
      #expect(Set(failures.compactMap { $0["signature"]?["text"]?.string }) == union)
      let rules = merged["guest_error_rules"]?.elements ?? []
      #expect(rules.count == guestErrors.count)
      for rule in rules {
        let tally = try #require(guestErrors[rule["rule"]?.string ?? ""])
        #expect(rule["count"]?.int == tally.count)
        #expect(rule["lowest_seed"]?.int == tally.lowestSeed)
        #expect(rule["session"]?.int != nil)
      }

      // A shard merged again would count its seeds twice: refused, and nothing changes.
      let before = try StoreInspector.dump(dir.path("all.sqlite"))
      let again = try await CLI.run(["merge", shards[1], "--db", dir.path("all.sqlite")])
      #expect(again.exited && again.status == 65, "\(again)")
      #expect(again.stderr.contains("\(shards[1]): fuzz campaign"), "\(again.stderr)")
      #expect(try StoreInspector.dump(dir.path("all.sqlite")) == before)
    }
  }

  /// A campaign of `linux-open-close` over `seeds` seeds into `database`; it may find
  /// failures (exit 1).
  static func fuzzShard(_ database: String, seeds: Int) async throws {
    let fuzz = try await CLI.run(
      [
        "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "\(seeds)", "--db",
        database, "--no-regressions",
      ])
    #expect(fuzz.exited && fuzz.status <= 1, "\(fuzz.stderr)")
  }

  /// A shard whose failures cannot be read fails the merge: its findings are never dropped
  /// in silence.
  @Test("merge fails on a shard whose failures it cannot read, says which, and changes nothing")
  func mergeKeepsUnreadableFailures() async throws {
    try await TemporaryDirectory.with { dir in
      let shard = dir.path("shard.sqlite")
      try await Self.fuzzShard(shard, seeds: 40)
      // Two other campaigns (other seeds): one merged before, one merged with the damaged
      // shard.
      let earlier = dir.path("earlier.sqlite")
      let good = dir.path("good.sqlite")
      try await Self.fuzzShard(earlier, seeds: 30)
      try await Self.fuzzShard(good, seeds: 20)
      let first = try await CLI.run(["merge", earlier, "--db", dir.path("all.sqlite")])
      #expect(first.status == 0, "\(first)")
      let before = try StoreInspector.dump(dir.path("all.sqlite"))
      try StoreInspector.damage(shard, sql: "DROP TABLE fuzz_failures")
      // The good shard is merged first; the whole merge is one transaction, so the target
      // keeps nothing of it when the damaged one fails.
      let merge = try await CLI.run(["merge", good, shard, "--db", dir.path("all.sqlite")])
      #expect(merge.exited && merge.status != 0, "\(merge.stdout)")
      #expect(merge.stderr.contains("fuzz_failures"), "\(merge.stderr)")
      #expect(try StoreInspector.dump(dir.path("all.sqlite")) == before)
    }
  }

  /// A shard killed and not resumed holds a running campaign: merged, its counts stop at
  /// its watermark, and `merge` says so rather than passing it off as the whole campaign.
  @Test("merge warns about a shard whose campaign had not finished")
  func mergeWarnsAboutUnfinishedCampaigns() async throws {
    try await TemporaryDirectory.with { dir in
      let shard = dir.path("shard.sqlite")
      try await Self.fuzzShard(shard, seeds: 20)
      // As a kill leaves it: the campaign still running, its watermark where it stopped.
      try StoreInspector.damage(
        shard, sql: "UPDATE fuzz_campaigns SET status = 'running', seeds_done = 12")
      let text = try await CLI.run(["merge", shard, "--db", dir.path("text.sqlite")])
      #expect(text.status == 0, "\(text)")
      #expect(
        text.stdout.contains(
          "warning: \(shard): campaign 1 had not finished (12 seeds done)"), "\(text.stdout)")
      let json = try await CLI.run(["merge", shard, "--db", dir.path("json.sqlite"), "--json"])
      let unfinished = try JSON.parse(json.stdout)["unfinished_campaigns"]?.elements ?? []
      #expect(unfinished.count == 1)
      #expect(unfinished.first?["database"]?.string == shard)
      #expect(unfinished.first?["seeds_done"]?.int == 12)
      // A finished shard has no warning.
      let finished = dir.path("finished.sqlite")
      try await Self.fuzzShard(finished, seeds: 20)
      let clean = try await CLI.run(["merge", finished, "--db", dir.path("clean.sqlite")])
      #expect(!clean.stdout.contains("warning"), "\(clean.stdout)")
    }
  }

  /// sysexits for what `merge` is given: a shard that is not there is missing input; one that
  /// is no database, a damaged one, or one given twice is bad data. Each names the file, and
  /// the target keeps what it had.
  @Test("merge exits 66 for a missing shard, 65 for a damaged, foreign or repeated one")
  func mergeExitStatuses() async throws {
    try await TemporaryDirectory.with { dir in
      let shard = dir.path("shard.sqlite")
      try await Self.fuzzShard(shard, seeds: 20)
      let target = dir.path("all.sqlite")
      let first = try await CLI.run(["merge", shard, "--db", target])
      #expect(first.status == 0, "\(first)")
      let before = try StoreInspector.dump(target)
      let shardBytes = try Data(contentsOf: URL(fileURLWithPath: shard))
      try Data("not a database at all".utf8).write(
        to: URL(fileURLWithPath: dir.path("junk.sqlite")))
      try shardBytes.prefix(5_000).write(to: URL(fileURLWithPath: dir.path("cut.sqlite")))
      // Ours by its id and migrations, but a column renamed by hand: SQLite alone would say
      // only "no such column" at the first query that names it.
      let renamed = dir.path("renamed.sqlite")
      try shardBytes.write(to: URL(fileURLWithPath: renamed))
      try await DatabaseQueue(path: renamed).write { db in
        try db.execute(sql: "ALTER TABLE fuzz_failures RENAME COLUMN first_seed TO seed")
      }
      let cases: [(sources: [String], status: Int32, says: String)] = [
        ([dir.path("missing.sqlite")], 66, "missing.sqlite: cannot open: no such file"),
        ([dir.path("junk.sqlite")], 65, "junk.sqlite: not an sqlite database"),
        ([dir.path("cut.sqlite")], 65, "cut.sqlite: damaged sqlite database"),
        (
          [renamed], 65,
          "renamed.sqlite: vmbus-sim event store's table fuzz_failures is missing columns: first_seed"
        ),
        ([shard], 65, "shard.sqlite: fuzz campaign 1 is already in \(target)"),
      ]
      for (sources, status, says) in cases {
        let merge = try await CLI.run(["merge"] + sources + ["--db", target])
        #expect(merge.exited && merge.status == status, "\(sources): \(merge)")
        #expect(merge.stderr.contains(says), "\(merge.stderr)")
        #expect(try StoreInspector.dump(target) == before)
      }
      let twice = try await CLI.run(["merge", shard, shard, "--db", dir.path("other.sqlite")])
      #expect(twice.exited && twice.status == 65, "\(twice)")
      #expect(
        twice.stderr.contains(
          "\(shard): fuzz campaign 1 is also in \(shard), given earlier in this merge"),
        "\(twice.stderr)")
    }
  }

  /// A Kubernetes Indexed Job or a Slurm job array gives each task its index; `auto/N`
  /// takes it, and runs exactly the seeds `I/N` runs.
  @Test("--shard auto/N takes its index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
  func shardFromBatchEngine() async throws {
    try await TemporaryDirectory.with { dir in
      func firstSeeds(_ shard: String, _ environment: [String: String]) async throws -> [String] {
        let result = try await CLI.run(
          [
            "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "60", "--shard", shard,
            "--db", dir.path("\(UUID().uuidString).sqlite"), "--no-regressions", "--json",
          ], environment: environment)
        #expect(result.exited && result.status <= 1, "\(result.stderr)")
        return (try JSON.parse(result.stdout)["failures"]?.elements ?? []).map {
          "\($0["signature"]?["text"]?.string ?? "") \($0["first_seed"]?.int ?? -1)"
        }.sorted()
      }
      let explicit = try await firstSeeds("1/3", [:])
      #expect(!explicit.isEmpty)
      #expect(try await firstSeeds("auto/3", ["JOB_COMPLETION_INDEX": "1"]) == explicit)
      // A Slurm array numbered from 1: task 2 is the second shard.
      #expect(
        try await firstSeeds(
          "auto/3", ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1"]) == explicit)
      #expect(try await firstSeeds("0/3", [:]) != explicit)

      let missing = try await dir.run("fuzz", "--shard", "auto/3", "--no-regressions")
      #expect(missing.status == 64)
      #expect(missing.stderr.contains("JOB_COMPLETION_INDEX"), "\(missing.stderr)")
      let outside = try await CLI.run(
        ["fuzz", "--shard", "auto/3", "--no-regressions", "--db", dir.database],
        environment: ["JOB_COMPLETION_INDEX": "3"])
      #expect(outside.status == 64)
      #expect(outside.stderr.contains("index 3, outside 0..<3"), "\(outside.stderr)")
    }
  }

  @Test(
    "options that make no sense together are usage errors, not silently ignored",
    arguments: [
      (["--jobs", "0"], "--jobs must be at least 1, found 0"),
      (["--depth", "0", "--exhaustive"], "--depth must be at least 1"),
      (["--exhaustive", "--seeds", "5"], "takes no --seeds"),
      (["--exhaustive", "--time", "5s", "--shard", "0/2"], "takes no --time, --shard"),
      (["--exhaustive", "--jobs", "2"], "takes no --jobs"),
      (["--max-states", "10"], "--max-states bounds --exhaustive mode"),
      (["--depth", "10"], "--depth bounds --exhaustive mode"),
      (["--exhaustive", "--max-states", "0"], "--max-states must be at least 1"),
      (["--replace-smaller", "--no-regressions"], "--no-regressions writes none"),
    ])
  func badOptionCombinations(arguments: [String], message: String) async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await CLI.run(["fuzz", "--db", dir.database] + arguments)
      #expect(result.status == 64)
      #expect(result.stderr.contains(message), "\(result.stderr)")
    }
  }

  @Test("two worker threads find the same failures, lowest seeds and minimal cases as one")
  func jobs() async throws {
    try await TemporaryDirectory.with { dir in
      var results: [(runs: Int?, signatures: [String: String])] = []
      for jobs in [1, 2] {
        let result = try await CLI.run(
          [
            "fuzz", Repository.scenario("linux-open-close.yaml"), "--seeds", "150", "--jobs",
            "\(jobs)",
            "--db", dir.path("jobs\(jobs).sqlite"), "--no-regressions", "--json",
          ])
        let summary = try JSON.parse(result.stdout)
        // Each signature's count, lowest seed and minimal case: the same whoever ran it.
        var signatures: [String: String] = [:]
        for failure in summary["failures"]?.elements ?? [] {
          signatures[failure["signature"]?["text"]?.string ?? ""] =
            ["count", "first_seed", "minimal_steps", "minimal_choices"]
            .map { "\(failure[$0]?.int ?? -1)" }.joined(separator: " ")
        }
        results.append((summary["runs"]?.int, signatures))
      }
      #expect(results[0].runs == 150 && results[1].runs == 150)
      #expect(!results[0].signatures.isEmpty)
      #expect(results[0].signatures == results[1].signatures)
    }
  }

  @Test("guest errors are counted by rule, each with a shrunk case that verifies and checks")
  func guestErrorsByRule() async throws {
    try await TemporaryDirectory.with { dir in
      let scenarios = [
        Repository.scenario("guest-error-open-twice.yaml"),
        Repository.scenario("qemu-gpadl-teardown.yaml"),
      ]
      var byJobs: [[String]] = []
      for jobs in ["1", "2"] {
        let database = dir.path("jobs\(jobs).sqlite")
        let fuzz = try await CLI.run(
          ["fuzz"] + scenarios + [
            "--seeds", "120", "--jobs", jobs, "--no-regressions", "--db", database, "--json",
          ])
        #expect(fuzz.status <= 1, "\(fuzz.stderr)")
        let summary = try JSON.parse(fuzz.stdout)
        let rules = summary["guest_error_rules"]?.elements ?? []
        #expect(rules.count >= 2, "\(fuzz.stdout)")
        // Every guest error is counted under exactly one rule.
        #expect(rules.reduce(0) { $0 + ($1["count"]?.int ?? 0) } == summary["guest_errors"]?.int)
        byJobs.append(
          rules.map { rule in
            ["rule", "count", "lowest_seed", "minimal_steps"]
              .map { rule[$0]?.string ?? "\(rule[$0]?.int ?? -1)" }.joined(separator: " ")
          })
        for rule in rules {
          let name = try #require(rule["rule"]?.string)
          #expect(name.hasPrefix("guest."))
          #expect((rule["lowest_seed"]?.int ?? 120) < 120)
          let session = try #require(rule["session"]?.int, "\(rule)")
          // The stored case re-runs to the same events...
          let verify = try await CLI.run(["verify", "\(session)", "--db", database])
          #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
          // ...and, as a file, `check` holds it to the rule and to breaking nothing.
          let text = try await StoreInspector.open(database).read { db in
            try String.fetchOne(
              db, sql: "SELECT scenario_text FROM sessions WHERE id = ?", arguments: [session])
          }
          let caseText = try #require(text)
          #expect(caseText.contains("signature: \"guest_error \(name)\""))
          let file = try dir.write("case-\(jobs)-\(session).yaml", caseText)
          let check = try await CLI.run(["check", file])
          #expect(check.status == 0, "\(check.stdout)")
          let otherRule =
            name == "guest.request_after_unload"
            ? "guest.request_before_contact" : "guest.request_after_unload"
          let wrong = try dir.write(
            "wrong-\(jobs)-\(session).yaml",
            caseText.replacingOccurrences(
              of: "guest_error \(name)", with: "guest_error \(otherRule)"))
          let refused = try await CLI.run(["check", wrong])
          #expect(refused.status == 1)
          #expect(refused.stdout.contains("recorded rule \(otherRule), re-run gives \(name)"))
        }
        let text = try await CLI.run(
          ["fuzz"] + scenarios + ["--seeds", "120", "--no-regressions", "--db", database])
        #expect(text.stdout.contains("guest errors by rule"))
      }
      // The same rules, counts, lowest seeds and minimal cases whoever ran the seeds.
      #expect(byJobs[0] == byJobs[1])
    }
  }

  @Test("the exhaustive mode counts its guest errors by rule, each with a case that verifies")
  func exploredGuestErrors() async throws {
    try await TemporaryDirectory.with { dir in
      let explore = try await dir.run(
        "fuzz", Repository.scenario("guest-error-open-twice.yaml"),
        Repository.scenario("guest-error-open-unknown-channel.yaml"), "--exhaustive",
        "--no-regressions", "--json")
      #expect(explore.status == 0, "\(explore.stderr)")
      let summary = try JSON.parse(explore.stdout)
      #expect(summary["unreproduced_failures"]?.int == 0)
      let rules = summary["guest_error_rules"]?.elements ?? []
      #expect(
        rules.map { "\($0["scenario"]?.string ?? "") \($0["rule"]?.string ?? "")" } == [
          "guest-error-open-twice guest.open_channel_not_closed",
          "guest-error-open-unknown-channel guest.open_unknown_channel",
        ])
      for rule in rules {
        #expect((rule["count"]?.int ?? 0) >= 1)
        #expect(rule["lowest_seed"] == nil)
        let session = try #require(rule["session"]?.int, "\(rule)")
        let verify = try await dir.run("verify", "\(session)")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
      }
    }
  }

  @Test("the exhaustive mode shows where it stands on a terminal, and nothing in a pipe")
  func exhaustiveStatusLine() async throws {
    try await TemporaryDirectory.with { dir in
      let arguments = [
        "fuzz", Repository.scenario("concurrent-opens.yaml"), "--exhaustive", "--depth", "20",
        "--no-regressions", "--db", dir.path("db.sqlite"),
      ]
      let shown = try Terminal.run(arguments)
      #expect(shown.status == 0, "\(shown.output)")
      #expect(
        shown.output.contains("\r\u{1B}[Kconcurrent-opens: 0 states  0/s  0 distinct"),
        "\(shown.output.prefix(300))")
      // Wiped before the report.
      #expect(
        shown.output.contains("\r\u{1B}[K") && shown.output.contains(" distinct failures\r\u{1B}[K")
      )
      let piped = try await dir.runAsGiven(arguments)
      #expect(piped.status == 0)
      #expect(piped.stderr == "", "\(piped.stderr)")
    }
  }

  @Test("the exhaustive mode reports states, rates and what it found as JSON")
  func exhaustive() async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run(
        "fuzz", Repository.scenario("qemu-gpadl-header-hang.yaml"), "--exhaustive", "--depth", "20",
        "--no-regressions", "--json")
      let summary = try JSON.parse(result.stdout)
      #expect((summary["states"]?.int ?? 0) > 0)
      #expect((summary["distinct_states"]?.int ?? 0) > 0)
      #expect(summary["unreproduced_failures"]?.int == 0)
      #expect((summary["failures"]?.elements ?? []).count >= 1)
      #expect(result.status == 1)
    }
  }

  /// 50 million states is about a minute; a deeper search than that stops, and a report of
  /// no failure must not read as every schedule explored.
  @Test("--max-states stops an exploration, and the report says it is incomplete")
  func exhaustiveStateLimit() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("concurrent-opens.yaml")
      let cut = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "40", "--max-states", "500",
        "--no-regressions", "--json")
      #expect(cut.status == 0, "\(cut.stderr)")
      let summary = try JSON.parse(cut.stdout)
      #expect(summary["complete"] == .bool(false), "\(cut.stdout)")
      #expect(
        summary["stopped_at_state_limit"]?.elements.compactMap(\.string) == ["concurrent-opens"])
      let text = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "40", "--max-states", "500",
        "--no-regressions")
      #expect(text.stdout.contains("warning: concurrent-opens: stopped at the state limit"))
      let whole = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "10", "--no-regressions", "--json")
      let complete = try JSON.parse(whole.stdout)
      #expect(complete["complete"] == .bool(true), "\(whole.stdout)")
      #expect(complete["stopped_at_state_limit"]?.elements.isEmpty == true)
      #expect(complete["reached_time_limit"]?.elements.isEmpty == true)
    }
  }

  /// A path that runs past the scenario's `max_time` makes the merge of states that differ
  /// in absolute time unsound: the report says the exploration is incomplete.
  @Test("a path past the scenario's max_time makes the report say the exploration is incomplete")
  func exhaustiveTimeLimit() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write(
        "timer-race.yaml",
        ScenarioSamples.timerRace + "limits: {max_steps: 100000, max_time: 1ms}\n")
      let result = try await dir.run(
        "fuzz", path, "--exhaustive", "--depth", "30", "--no-regressions", "--json")
      let summary = try JSON.parse(result.stdout)
      #expect(summary["complete"] == .bool(false), "\(result.stdout)")
      #expect(summary["reached_time_limit"]?.elements.compactMap(\.string) == ["timer-race"])
      let text = try await dir.run(
        "fuzz", path, "--exhaustive", "--depth", "30", "--no-regressions")
      #expect(
        text.stdout.contains("warning: timer-race: a path ran past the scenario's max_time"),
        "\(text.stdout)")
    }
  }

  /// The path the search first meets carries every step of the scenario and every choice on
  /// the way; the file says "minimal case", so it is shrunk as a campaign's finding is.
  @Test(
    "the exhaustive mode files each finding shrunk, saying how it was found, the same each time")
  func exhaustiveFilesShrunkCases() async throws {
    try await TemporaryDirectory.with { dir in
      var texts: [String] = []
      for attempt in 0..<2 {
        let regressions = dir.path("regressions-\(attempt)")
        let result = try await dir.run(
          "fuzz", Repository.scenario("qemu-gpadl-body.yaml"), "--exhaustive", "--depth", "40",
          "--regressions", regressions, "--json")
        #expect(result.status == 1, "\(result.stderr)")
        let summary = try JSON.parse(result.stdout)
        #expect(summary["shrink_seconds"]?.number != nil)
        let found = try #require(summary["failures"]?.elements.first)
        #expect(found["signature"]?["root_cause"]?.string == "gpadl_body.num_gfns_left_assert")
        #expect(found["scenario"]?.string == "qemu-gpadl-body")
        // The scenario's two waits go, and with them every choice the exploration made.
        let explored = try #require(found["explored_choices"]?.int)
        #expect(explored > 0)
        #expect(found["minimal_steps"]?.int == 3, "\(found)")
        #expect(found["minimal_choices"]?.int == 0, "\(found)")
        let file = try #require(found["minimal"]?.string)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        #expect(text.contains("(exhaustive, depth 40)"), "\(text)")
        #expect(!text.contains("lowest seed"), "\(text)")
        #expect(!text.contains("wait:"), "\(text)")
        texts.append(text.replacingOccurrences(of: regressions, with: "DIR"))
        let check = try await CLI.run(["check", regressions])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      }
      #expect(texts[0] == texts[1])
    }
  }

  /// `faults:` probabilities are the guest's inputs too; the exploration takes each outcome
  /// of a delivery's fault draws, and the case it files replays those draws.
  @Test("the exhaustive mode explores the faults a scenario allows, and its cases replay them")
  func exhaustiveExploresFaults() async throws {
    try await TemporaryDirectory.with { dir in
      let path = Repository.scenario("qemu-message-page-faults.yaml")
      let found = try await Self.exploreAndCheck(path, in: dir).filter {
        $0["signature"]?["root_cause"]?.string == "msg_cb.fatal_without_resched"
      }
      #expect(found.count == 1, "\(found)")
      // Its case keeps the fault draws among its choices, which check replayed.
      #expect((found.first?["minimal_choices"]?.int ?? 0) > 0)
    }
  }

  /// Two drivers wait for the offers, then race for one channel: the crash needs the
  /// opener's wait taken first, which the explorer once never branched on.
  @Test("the exhaustive mode finds a crash that needs one waiting actor to run before another")
  func exhaustiveFindsAWaitRace() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write(
        "waits-race.yaml",
        """
        description: two drivers race for one channel after the offers
        expect: passed
        host: {devices: [{class: hv-balloon}]}
        actors:
          - name: prober
            steps: [{wait: {for: ALLOFFERS_DELIVERED}}, {linux.probe: {device: hv-balloon}}]
          - name: opener
            steps:
              - wait: {for: ALLOFFERS_DELIVERED}
              - linux.open: {device: hv-balloon, ring_pages: 8, target_vp: 5}
          - name: trigger
            steps: [{linux.connect: {versions: ["4.0"]}}, {sleep: 1ms}, linux.request_offers]

        """)
      let result = try await dir.run(
        "fuzz", path, "--exhaustive", "--depth", "40", "--no-regressions", "--json")
      #expect(result.status == 1, "\(result.stderr)")
      let summary = try JSON.parse(result.stdout)
      #expect(summary["unreproduced_failures"]?.int == 0)
      let causes = (summary["failures"]?.elements ?? []).compactMap {
        $0["signature"]?["root_cause"]?.string
      }
      #expect(causes.contains("open_channel.unknown_vcpu"), "\(causes)")
    }
  }

  /// Which of two sleepers' messages comes first depends on which started sleeping first, a
  /// step apart (`ScenarioSamples.timerRace`): the exploration must keep those two states
  /// apart, report the crash, and file a case that replays.
  @Test("the exhaustive mode finds a crash that only a timer's distance decides")
  func exhaustiveFindsATimerRace() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("timer-race.yaml", ScenarioSamples.timerRace)
      let failures = try await Self.exploreAndCheck(path, in: dir)
      let causes = failures.compactMap { $0["signature"]?["root_cause"]?.string }
      #expect(causes == ["send_unload.no_sint_route"], "\(failures)")
      // The stored row says an exploration found its case (its seed, 0, is the replay's).
      let stored = try await StoreInspector.open(dir.database).read { db in
        try Row.fetchAll(db, sql: "SELECT first_seed, explored_depth FROM fuzz_failures")
          .map { [$0["first_seed"] as Int64?, $0["explored_depth"] as Int64?] }
      }
      #expect(stored == [[0, 40]])
    }
  }

  /// A kdump's crashed kernel waits with timeouts of seconds that nothing within the depth
  /// reaches, while the other actor's steps move them: states that differ only there are
  /// covered by calm subtrees, which both reports count.
  @Test("the exhaustive mode says how many states calm subtrees covered")
  func exhaustiveCountsCalmSubtrees() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-kdump.yaml")
      let result = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "40", "--no-regressions", "--json")
      #expect(result.status == 0, "\(result.stderr)")
      let summary = try JSON.parse(result.stdout)
      let states = try #require(summary["states"]?.int)
      let distinct = try #require(summary["distinct_states"]?.int)
      let covered = try #require(summary["covered_states"]?.int)
      #expect(covered > 0)
      #expect(distinct + covered <= states)
      #expect(summary["failures"]?.elements.isEmpty == true)
      let text = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "40", "--no-regressions")
      #expect(text.stdout.contains("\(covered) covered by calm subtrees"), "\(text.stdout)")
    }
  }

  /// Explores `path` to depth 40, filing its cases in a directory of their own, which
  /// `check` must then pass; returns the failures the summary reports.
  static func exploreAndCheck(_ path: String, in dir: TemporaryDirectory) async throws -> [JSON] {
    let regressions = dir.path("regressions")
    let result = try await dir.run(
      "fuzz", path, "--exhaustive", "--depth", "40", "--regressions", regressions, "--json")
    #expect(result.status == 1, "\(result.stderr)")
    let summary = try JSON.parse(result.stdout)
    #expect(summary["unreproduced_failures"]?.int == 0)
    let check = try await CLI.run(["check", regressions])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    return summary["failures"]?.elements ?? []
  }

  /// `synic_reset`'s route assertion came with 64ddecc88b (QEMU 7.1); before it, a reset with a
  /// reply in flight left a late `vmbus_msg_cb` that trips `assert(msg_in_progress)`.
  @Test("fuzz --qemu-release picks the release whose machine reset it models")
  func qemuReleaseOption() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario(
        "regressions/qemu-host_fault-synic_reset.route_held_by_message.yaml")
      func causes(_ extra: [String]) async throws -> Set<String> {
        let result = try await CLI.run(
          ["fuzz", scenario, "--seeds", "300", "--no-regressions", "--json", "--db", dir.database]
            + extra)
        #expect(result.status == 1, "\(result.stderr)")
        let failures = try JSON.parse(result.stdout)["failures"]?.elements ?? []
        return Set(failures.compactMap { $0["signature"]?["root_cause"]?.string })
      }
      let current = try await causes([])
      #expect(current.contains("synic_reset.route_held_by_message"))
      #expect(!current.contains("msg_cb.msg_in_progress_assert"))
      let old = try await causes(["--qemu-release", "5.1"])
      #expect(old.contains("msg_cb.msg_in_progress_assert"))
      #expect(!old.contains("synic_reset.route_held_by_message"))
      let bad = try await dir.run("fuzz", scenario, "--qemu-release", "6.0", "--no-regressions")
      #expect(bad.status == 64)
    }
  }

  /// The headline question: what can an unmodified Linux guest make QEMU do? Linux mode
  /// inserts kernel restarts, unbinds and delivery faults, never a hand-made message.
  @Test("fuzz --guest linux finds what a Linux guest reaches, with minimal cases of Linux steps")
  func linuxGuestInputs() async throws {
    try await TemporaryDirectory.with { dir in
      let regressions = dir.path("regressions")
      // The raw-message case of the same root cause does not stand for a Linux guest's.
      let raw = "qemu-host_fault-synic_reset.route_held_by_message.yaml"
      try FileManager.default.createDirectory(
        atPath: regressions, withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        atPath: Repository.scenario("regressions/" + raw), toPath: regressions + "/" + raw)
      let fuzz = try await dir.run(
        "fuzz", Repository.scenario("linux-kexec-open-channels.yaml"), "--guest", "linux",
        "--seeds", "50", "--regressions", regressions, "--json")
      #expect(fuzz.status == 1, "\(fuzz.stderr)")
      let failures = try JSON.parse(fuzz.stdout)["failures"]?.elements ?? []
      let causes = Set(failures.compactMap { $0["signature"]?["root_cause"]?.string })
      #expect(causes.contains("synic_reset.route_held_by_message"))
      for failure in failures {
        let path = try #require(failure["minimal"]?.string)
        // A Linux guest's findings are filed apart from the raw-message ones.
        #expect(URL(fileURLWithPath: path).lastPathComponent.hasPrefix("linux-qemu-"), "\(path)")
        #expect(failure["corpus"]?.string == "new")
        let minimal = try String(contentsOfFile: path, encoding: .utf8)
        let steps = minimal.split(separator: "\n").prefix { !$0.hasPrefix("regression:") }
          .filter { $0.hasPrefix("      - ") }
        #expect(!steps.isEmpty)
        for step in steps {
          let name = step.dropFirst(8)
          // Linux steps, the scenario's own pauses, and what its machine does around it: a slow
          // handler, a migration.
          #expect(
            name.hasPrefix("linux.") || name.hasPrefix("slot_busy") || name == "migrate"
              || name.hasPrefix("sleep:"),
            "\(step)")
        }
      }
      let check = try await CLI.run(["check", regressions])
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      // The next campaign keeps the Linux file.
      let again = try await dir.run(
        "fuzz", Repository.scenario("linux-kexec-open-channels.yaml"), "--guest", "linux",
        "--seeds", "50", "--regressions", regressions, "--json")
      let corpus = (try JSON.parse(again.stdout)["failures"]?.elements ?? []).map {
        $0["corpus"]?.string
      }
      #expect(corpus.allSatisfy { $0 == "known" }, "\(corpus)")

      // A scenario that sends raw messages is not a Linux guest: refused at its first such step.
      let refused = try await dir.run(
        "fuzz", Repository.scenario("version-fallback.yaml"), "--guest", "linux", "--seeds", "5",
        "--no-regressions")
      #expect(refused.status == 64)
      #expect(refused.stderr.contains("version-fallback.yaml:9:9:"), "\(refused.stderr)")
      #expect(refused.stderr.contains("not a linux.* step"))
      // Exploring its schedules would file raw-message findings as a Linux guest's, too.
      let explored = try await dir.run(
        "fuzz", Repository.scenario("version-fallback.yaml"), "--guest", "linux", "--exhaustive",
        "--no-regressions")
      #expect(explored.status == 64)
      #expect(explored.stderr.contains("version-fallback.yaml:9:9:"), "\(explored.stderr)")
      // Linux steps alone do not make a Linux guest's machine: message page faults are
      // refused by name.
      let faulted = try await dir.run(
        "fuzz", Repository.scenario("regressions/qemu-guest_hang-msg_cb.fatal_reset.yaml"),
        "--guest", "linux", "--seeds", "5", "--no-regressions")
      #expect(faulted.status == 64)
      #expect(
        faulted.stderr.contains(
          "a Linux guest's campaign fuzzes what Linux sends, and faults.message_page_missing"),
        "\(faulted.stderr)")
    }
  }
}
