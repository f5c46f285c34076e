import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore

@Suite struct RunWorkflowTests {
  @Test func theSameSeedStoresTheSameSessionTwice() throws {
    try Workspace.with { space in
      let store = try space.store()
      let runner = ScenarioRunner(path: Bundled.scenario("linux-boot.yaml"), seed: 77)
      let (first, one) = try runner.run(into: store)
      let (second, two) = try runner.run(into: store)
      #expect(first.events == second.events)
      #expect(first.choices == second.choices)
      var stored: [[HostEvent]] = [[], []]
      try store.events(session: one) { stored[0].append($0.event) }
      try store.events(session: two) { stored[1].append($0.event) }
      #expect(stored[0] == first.events && stored[1] == first.events)
      #expect(
        try store.session(one).finalStateHash == store.session(two).finalStateHash)
    }
  }

  @Test func aMissingScenarioIsMissingInputAndOpensNoDatabase() throws {
    try Workspace.with { space in
      let error = sessionsError { () throws(SessionsError) in
        try ScenarioRunner(path: space.path("absent.yaml"), seed: 0).run {
          () throws(SessionsError) in
          do { return try EventStore.open(path: space.databasePath) } catch let error as StoreError
          {
            throw .store(error)
          } catch { throw .io("\(error)") }
        }
      }
      #expect(error?.exitCode == 66)
      #expect(!space.exists("sessions.sqlite"))
    }
  }

  @Test func aBrokenScenarioIsBadInputNamingItsLine() throws {
    try Workspace.with { space in
      let path = try space.write(
        "broken.yaml",
        """
        name: broken
        actors:
          - name: guest
            steps:
              - connect: {version: 9.9}
        """)
      let error = sessionsError { () throws(SessionsError) in
        try ScenarioRunner(path: path, seed: 0).load()
      }
      #expect(error?.exitCode == 65)
      #expect(
        "\(String(describing: error))".contains("broken.yaml:5:"), "\(String(describing: error))")
    }
  }
}

@Suite struct CheckWorkflowTests {
  @Test func everyCommittedRegressionFileStillHolds() throws {
    let files = try CheckWorkflow.files([Bundled.scenario("regressions")])
    #expect(files.count >= 20)
    for file in files {
      let result = CheckWorkflow.check(file)
      #expect(result.passed, "\(file): \(result.lines)")
    }
  }

  @Test func anEditedRecordedEventIsADivergenceAtItsSeq() throws {
    try Workspace.with { space in
      let original = Bundled.scenario(
        "regressions/linux-qemu-guest_hang-machine_reset.queue_stalled.yaml")
      var text = String(
        decoding: try Data(contentsOf: URL(fileURLWithPath: original)), as: UTF8.self)
      text = text.replacingOccurrences(
        of: "\"vmbus_post_msg type 15 size 12\"", with: "\"vmbus_post_msg type 15 size 13\"")
      let path = try space.write("edited.yaml", text)
      let result = CheckWorkflow.check(path)
      #expect(!result.passed)
      #expect(result.lines.first?.hasPrefix("events diverge at seq ") == true, "\(result.lines)")
      #expect(result.lines.contains { $0.contains("size 13") })
    }
  }

  @Test func aMissingPathIsMissingInput() {
    let error = sessionsError { () throws(SessionsError) in
      try CheckWorkflow.files(["/nonexistent/scenarios"])
    }
    #expect(error?.exitCode == 66)
  }
}

@Suite struct FuzzWorkflowTests {
  static func options(
    _ scenario: String, seeds: UInt64, jobs: Int = 1, shard: (UInt64, UInt64) = (0, 1),
    regressions: String? = nil
  ) -> FuzzOptions {
    FuzzOptions(
      scenarioPaths: [Bundled.scenario(scenario)], profile: nil, seedCount: seeds,
      duration: nil, seedBase: 0, jobs: jobs, shard: shard, regressionsDirectory: regressions)
  }

  @Test func findingsAreStoredWithTheirMinimalSessions() throws {
    try Workspace.with { space in
      let store = try space.store()
      let summary = try FuzzWorkflow.run(
        Self.options("linux-open-close.yaml", seeds: 120), store: store)
      #expect(summary.runs == 120)
      #expect(!summary.findings.isEmpty)
      let records = try store.fuzzFailures()
      #expect(
        Set(records.map(\.signature)) == Set(summary.findings.map(\.signature.description)))
      // A campaign's seed found each case: no exploration depth.
      #expect(records.allSatisfy { $0.exploredDepth == nil })
      for finding in summary.findings {
        let session = try #require(finding.session)
        #expect(try store.session(session).status == .complete)
        #expect(finding.corpus == .notWritten)
      }
    }
  }

  @Test func guestErrorRulesAreListedWithTheirStoredCases() throws {
    try Workspace.with { space in
      let store = try space.store()
      let summary = try FuzzWorkflow.run(
        Self.options("linux-open-close.yaml", seeds: 120), store: store)
      #expect(!summary.linuxGuest)
      #expect(!summary.guestErrorRules.isEmpty)
      #expect(summary.guestErrorRules.reduce(0) { $0 + $1.count } == Int(summary.guestErrors))
      for rule in summary.guestErrorRules {
        let session = try #require(rule.session)
        #expect(try store.session(session).status == .complete)
        #expect(
          try store.session(session).info.scenarioText?.contains("guest_error \(rule.rule)") == true
        )
      }
      let header = "guest errors by rule (the guest's fault"
      #expect(summary.textLines.contains { $0.hasPrefix(header) })
      // Under `--guest linux` the same list says whose protocol error it is.
      var linux = summary
      linux.linuxGuest = true
      #expect(!linux.textLines.contains { $0.hasPrefix(header) })
      #expect(
        linux.textLines.contains {
          $0.hasPrefix("guest errors by rule (unmodified Linux broke the protocol")
        })
      var options = Self.options("linux-boot.yaml", seeds: 2)
      options.guestInputs = .linux
      let linuxCampaign = try FuzzWorkflow.run(options, store: try space.store("linux.sqlite"))
      #expect(linuxCampaign.linuxGuest)
    }
  }

  @Test func jobsDoNotChangeWhatIsFound() throws {
    try Workspace.with { space in
      func found(_ jobs: Int) throws -> (
        signatures: [String: (Int, UInt64)], guestErrorCases: [String]
      ) {
        let store = try space.store("jobs\(jobs).sqlite")
        let summary = try FuzzWorkflow.run(
          Self.options("concurrent-opens.yaml", seeds: 150, jobs: jobs), store: store)
        // The guest errors' cases are shrunk on as many threads: the same cases.
        let cases = try summary.guestErrorRules.map { rule in
          let session = try #require(rule.session)
          let text = try store.session(session).info.scenarioText ?? ""
          return "\(rule.rule) \(rule.count) \(rule.minimalSteps ?? -1)\n\(text)"
        }
        return (
          Dictionary(
            uniqueKeysWithValues: summary.findings.map {
              ($0.signature.description, ($0.count, $0.firstSeed))
            }), cases
        )
      }
      let one = try found(1)
      let two = try found(2)
      #expect(one.signatures.keys.sorted() == two.signatures.keys.sorted())
      for (key, value) in one.signatures {
        #expect(two.signatures[key]?.0 == value.0 && two.signatures[key]?.1 == value.1)
      }
      #expect(one.guestErrorCases.count > 1)
      #expect(one.guestErrorCases == two.guestErrorCases)
    }
  }

  @Test func newFindingsAreFiledAndKnownOnesKept() throws {
    try Workspace.with { space in
      let regressions = space.path("regressions")
      let options = Self.options("linux-open-close.yaml", seeds: 120, regressions: regressions)
      let first = try FuzzWorkflow.run(options, store: try space.store())
      #expect(first.findings.allSatisfy { $0.corpus == .new })
      let files = try FileManager.default.contentsOfDirectory(atPath: regressions).sorted()
      let texts = try files.map {
        try Data(contentsOf: URL(fileURLWithPath: "\(regressions)/\($0)"))
      }
      let second = try FuzzWorkflow.run(options, store: try space.store())
      #expect(second.findings.allSatisfy { $0.corpus == .known })
      #expect(
        try files.map { try Data(contentsOf: URL(fileURLWithPath: "\(regressions)/\($0)")) }
          == texts)
      for file in files {
        #expect(CheckWorkflow.check("\(regressions)/\(file)").passed, "\(file)")
      }
    }
  }

  /// An exploration's cases replay with seed 0, which the row's `first_seed` holds; its
  /// depth says the case is an exploration's, and it follows the stored case when a
  /// campaign's row for the same signature meets it, in either order.
  @Test func explorationsMarkTheCasesTheyStore() throws {
    try Workspace.with { space in
      let scenario = "qemu-gpadl-header-hang.yaml"
      func records(_ store: EventStore) throws -> [String: FuzzFailureRecord] {
        Dictionary(
          try store.fuzzFailures().map { ($0.signature, $0) }, uniquingKeysWith: { $1 })
      }
      let explored = try space.store("explored.sqlite")
      _ = try FuzzWorkflow.explore(Self.options(scenario, seeds: 0), depth: 20, store: explored)
      let exploredRecords = try records(explored)
      #expect(!exploredRecords.isEmpty)
      #expect(exploredRecords.values.allSatisfy { $0.exploredDepth == 20 && $0.firstSeed == 0 })
      // A campaign after the exploration: seed 0 is the lowest already, the case stays.
      _ = try FuzzWorkflow.run(Self.options(scenario, seeds: 60), store: explored)
      for (signature, record) in try records(explored) where exploredRecords[signature] != nil {
        #expect(record.exploredDepth == 20, "\(signature)")
        #expect(record.session == exploredRecords[signature]?.session, "\(signature)")
      }
      // An exploration after a campaign whose lowest seed is above 0 takes the case over.
      let campaign = try space.store("campaign.sqlite")
      _ = try FuzzWorkflow.run(Self.options(scenario, seeds: 60), store: campaign)
      let campaignRecords = try records(campaign)
      _ = try FuzzWorkflow.explore(Self.options(scenario, seeds: 0), depth: 20, store: campaign)
      for (signature, record) in try records(campaign) {
        guard let before = campaignRecords[signature], exploredRecords[signature] != nil else {
          continue
        }
        #expect(record.exploredDepth == (before.firstSeed > 0 ? 20 : nil), "\(signature)")
        #expect(record.firstSeed == 0)
      }
      // A merge carries the mark with the case.
      let merged = try space.store("merged.sqlite")
      _ = try MergeWorkflow.merge([space.path("explored.sqlite")], into: merged)
      for (signature, record) in try records(merged) where exploredRecords[signature] != nil {
        #expect(record.exploredDepth == 20, "\(signature)")
      }
    }
  }

  @Test func exhaustiveModeFindsTheHeaderHang() throws {
    try Workspace.with { space in
      let summary = try FuzzWorkflow.explore(
        Self.options("qemu-gpadl-header-hang.yaml", seeds: 0), depth: 20,
        store: try space.store())
      #expect(summary.states > 0)
      #expect(!summary.findings.isEmpty)
      // Each finding is shrunk from the path the search met first, never grown.
      for finding in summary.findings {
        let explored = try #require(finding.exploredChoices)
        #expect(finding.minimalChoices <= explored, "\(finding.signature)")
      }
    }
  }
}

@Suite struct MergeWorkflowTests {
  @Test func shardsMergedFindWhatOneProcessFinds() throws {
    try Workspace.with { space in
      let scenario = "linux-open-close.yaml"
      // `seeds` counts each shard's own seeds: three shards of 150 cover the single's 450.
      let single = try FuzzWorkflow.run(
        FuzzWorkflowTests.options(scenario, seeds: 450), store: try space.store("single.sqlite"))
      var shards: [String] = []
      for index in UInt64(0)..<3 {
        let name = "shard\(index).sqlite"
        _ = try FuzzWorkflow.run(
          FuzzWorkflowTests.options(scenario, seeds: 150, shard: (index, 3)),
          store: try space.store(name))
        shards.append(space.path(name))
      }
      let merged = try space.store("merged.sqlite")
      _ = try MergeWorkflow.merge(shards, into: merged)
      let records = try merged.fuzzFailures()
      #expect(
        Set(records.map { "\($0.signature) \($0.count) \($0.firstSeed)" })
          == Set(single.findings.map { "\($0.signature) \($0.count) \($0.firstSeed)" }))
      for record in records {
        let session = try #require(record.session)
        #expect(try merged.session(session).status == .complete)
      }
      // Guest errors too: each shard's campaign is copied, and over all of them each rule
      // has the single process's count, lowest seed and minimal case.
      let singleStore = try space.store("single.sqlite")
      #expect(!single.guestErrorRules.isEmpty)
      func lines(_ rules: [FuzzCampaignGuestErrorRule], _ store: EventStore) throws -> [String] {
        try rules.map { rule in
          let session = try #require(rule.session, "\(rule.rule) has no case")
          let text = try #require(try store.session(session).info.scenarioText)
          return "\(rule.rule) \(rule.count) \(rule.lowestSeed) \(rule.minimalSteps ?? -1)\n\(text)"
        }
      }
      let summary = try MergeWorkflow.merge([], into: merged)
      #expect(summary.campaignsCopied == 0)
      #expect(try merged.fuzzCampaigns().count == 3)
      #expect(
        try lines(summary.guestErrorRules, merged)
          == lines(singleStore.guestErrorRulesOfAllCampaigns(), singleStore))
      #expect(
        single.guestErrorRules.map { "\($0.rule.rawValue) \($0.count)" }
          == summary.guestErrorRules.map { "\($0.rule) \($0.count)" })
    }
  }

  /// Merging a shard whose campaign the target already holds would count its seeds twice:
  /// refused, naming the file, and the target keeps what it had.
  @Test func aShardMergedTwiceIsRefused() throws {
    try Workspace.with { space in
      let shard = space.path("shard.sqlite")
      _ = try FuzzWorkflow.run(
        FuzzWorkflowTests.options("linux-open-close.yaml", seeds: 60),
        store: try space.store("shard.sqlite"))
      let target = try space.store("merged.sqlite")
      let first = try MergeWorkflow.merge([shard], into: target)
      #expect(first.campaignsCopied == 1)
      let failures = try target.fuzzFailures()
      let sessions = try target.sessions().count
      for sources in [[shard], [space.path("other.sqlite"), shard, shard]] {
        if sources.count > 1 {
          _ = try FuzzWorkflow.run(
            FuzzWorkflowTests.options("linux-open-close.yaml", seeds: 30),
            store: try space.store("other.sqlite"))
        }
        let error = sessionsError { () throws(SessionsError) in
          try MergeWorkflow.merge(sources, into: target)
        }
        guard case .store(.campaignAlreadyMerged(let path, _, _)) = error else {
          Issue.record("expected campaignAlreadyMerged, got \(String(describing: error))")
          continue
        }
        #expect(path == shard)
        #expect(error?.exitCode == 65)
        #expect(try target.fuzzFailures() == failures)
        #expect(try target.sessions().count == sessions)
        #expect(try target.fuzzCampaigns().count == 1)
      }
    }
  }

  @Test func aSourceThatIsNotADatabaseLeavesTheTargetAsItWas() throws {
    try Workspace.with { space in
      let target = try space.store("merged.sqlite")
      _ = try FuzzWorkflow.run(
        FuzzWorkflowTests.options("linux-open-close.yaml", seeds: 60), store: target)
      let before = try target.fuzzFailures()
      let sessionsBefore = try target.sessions().count
      let good = space.path("good.sqlite")
      _ = try FuzzWorkflow.run(
        FuzzWorkflowTests.options("linux-open-close.yaml", seeds: 60, shard: (0, 1)),
        store: try space.store("good.sqlite"))
      let junk = try space.write("junk.sqlite", "not a database at all")
      let error = sessionsError { () throws(SessionsError) in
        try MergeWorkflow.merge([good, junk], into: target)
      }
      #expect(error != nil)
      #expect(try target.fuzzFailures() == before)
      #expect(try target.sessions().count == sessionsBefore)
    }
  }
}
