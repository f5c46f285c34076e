import GRDB
import Testing
import VMBusTesting

@testable import VMBusStore

/// A campaign's guest errors by rule: kept with each checkpoint, and the session of a rule's
/// lowest seed kept only while that seed is the lowest.
@Suite struct CampaignGuestErrorTests {
  @Test("each checkpoint writes the rules; a lower lowest seed drops the stored case")
  func rulesFollowTheCheckpoint() throws {
    try withTemporaryStore { store in
      let campaign = try store.beginFuzzCampaign(identity: "{}")
      func commit(_ rules: [String: (count: Int, lowestSeed: UInt64)]) throws {
        let checkpoint = FuzzCampaignCheckpoint(
          seedsDone: 10, guestErrors: UInt64(rules.values.reduce(0) { $0 + $1.count }),
          tallies: [:], guestErrorRules: rules)
        _ = try store.commitFuzzCampaign(
          campaign, checkpoint: checkpoint, finding: nil, finished: false)
      }
      try commit(["guest.open_unknown_channel": (3, 40), "guest.request_before_contact": (1, 7)])
      var writer = try store.beginSession(simulatedInfo("case"))
      try writer.append(contentsOf: BootWorkload.events(boots: 1).prefix(3))
      let session = writer.sessionID
      try writer.finish()
      try store.recordFuzzCampaignGuestErrorCase(
        campaign, rule: "guest.open_unknown_channel", lowestSeed: 40, session: session,
        minimalSteps: 2)
      // A case for a seed that is not the rule's lowest is not recorded.
      try store.recordFuzzCampaignGuestErrorCase(
        campaign, rule: "guest.request_before_contact", lowestSeed: 8, session: session,
        minimalSteps: 1)
      #expect(
        try store.fuzzCampaignGuestErrorRules(campaign) == [
          FuzzCampaignGuestErrorRule(
            rule: "guest.open_unknown_channel", count: 3, lowestSeed: 40, session: session,
            minimalSteps: 2),
          FuzzCampaignGuestErrorRule(rule: "guest.request_before_contact", count: 1, lowestSeed: 7),
        ])

      // More seeds: the same lowest seed keeps its case, a lower one drops it.
      try commit(["guest.open_unknown_channel": (5, 40), "guest.request_before_contact": (2, 7)])
      #expect(try store.fuzzCampaignGuestErrorRules(campaign).first?.session == session)
      try commit(["guest.open_unknown_channel": (6, 12), "guest.request_before_contact": (2, 7)])
      let rules = try store.fuzzCampaignGuestErrorRules(campaign)
      #expect(
        rules.first
          == FuzzCampaignGuestErrorRule(
            rule: "guest.open_unknown_channel", count: 6, lowestSeed: 12))
    }
  }

  /// `merge` reads shard files read-only, in the schema they were written with.
  @Test(
    "a campaign of a file written before v11 copies without guest-error rows; before v7 there are none"
  )
  func campaignsOfOlderFilesCopy() throws {
    try withTemporaryPath { path in
      do {
        let pool = try DatabasePool(path: path)
        try StoreSchema.migrator.migrate(pool, upTo: "v10-fuzz-failures-explored-depth")
        try pool.write { db in
          try db.execute(
            sql: """
              INSERT INTO fuzz_campaigns (identity, status, seeds_done, guest_errors)
              VALUES ('{"seeds":50}', 'finished', 50, 4);
              INSERT INTO fuzz_campaign_signatures (campaign_id, signature, count, lowest_seed)
              VALUES (1, 'host_crash x', 2, 9);
              """)
        }
      }
      let source = try EventStore.openReadOnly(path: path)
      let campaigns = try source.fuzzCampaigns()
      #expect(
        campaigns == [
          FuzzCampaignRecord(
            id: 1, identity: #"{"seeds":50}"#, finished: true, seedsDone: 50, guestErrors: 4)
        ])
      try withTemporaryStore { target in
        let campaign = try #require(campaigns.first)
        let id = try target.inTransaction { transaction throws(StoreError) in
          try transaction.copyFuzzCampaign(campaign, from: source, sessions: [:])
        }
        var copied = campaign
        copied.id = id
        #expect(try target.fuzzCampaigns() == [copied])
        #expect(
          try target.fuzzCampaignSignatures(id) == [
            FuzzCampaignSignature(signature: "host_crash x", count: 2, lowestSeed: 9, finding: nil)
          ])
        #expect(try target.fuzzCampaignGuestErrorRules(id).isEmpty)
      }
    }
    try withTemporaryPath { path in
      do {
        let pool = try DatabasePool(path: path)
        try StoreSchema.migrator.migrate(pool, upTo: "v6-sim-arguments")
      }
      #expect(try EventStore.openReadOnly(path: path).fuzzCampaigns().isEmpty)
    }
  }

  /// A shard's column names are input: `merge` copies the columns its own schema has, quoted,
  /// so a name that reads as SQL is never run.
  @Test("a shard's own column names never reach the SQL that copies its campaign")
  func hostileColumnNamesAreNotCopied() throws {
    try withTemporaryPath { path in
      do {
        let shard = try EventStore.open(path: path)
        let campaign = try shard.beginFuzzCampaign(identity: "{}")
        _ = try shard.commitFuzzCampaign(
          campaign,
          checkpoint: FuzzCampaignCheckpoint(
            seedsDone: 5, guestErrors: 1, tallies: ["host_crash x": (1, 3)],
            guestErrorRules: ["guest.x": (1, 4)]),
          finding: nil, finished: true)
        try shard.pool.write { db in
          try db.execute(
            sql: """
              ALTER TABLE fuzz_campaign_signatures
                ADD COLUMN "x) VALUES (1); DROP TABLE sessions; --" TEXT DEFAULT 'y'
              """)
        }
      }
      let source = try EventStore.openReadOnly(path: path)
      try withTemporaryStore { target in
        let campaign = try #require(try source.fuzzCampaigns().first)
        let id = try target.inTransaction { transaction throws(StoreError) in
          try transaction.copyFuzzCampaign(campaign, from: source, sessions: [:])
        }
        #expect(try target.fuzzCampaignSignatures(id).map(\.signature) == ["host_crash x"])
        #expect(try target.fuzzCampaignGuestErrorRules(id).map(\.rule) == ["guest.x"])
        #expect(try target.sessions().isEmpty)
      }
    }
  }
}
