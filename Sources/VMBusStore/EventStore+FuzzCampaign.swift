import GRDB

/// A fuzz campaign as stored: what it runs and how far it got.
package struct FuzzCampaignRecord: Hashable, Sendable {
  package var id: Int64
  /// What the campaign runs (scenarios and their contents, profile, seeds), as JSON its
  /// caller encodes; `fuzz --resume` continues only a campaign with the same identity.
  package var identity: String
  package var finished: Bool
  /// The watermark: seed indices below it have run and are counted in its signatures.
  package var seedsDone: UInt64
  package var guestErrors: UInt64
}

/// One signature of a campaign: its counts as of the watermark, and the minimal case the
/// campaign committed for it, if any.
package struct FuzzCampaignSignature: Hashable, Sendable {
  /// The signature it is counted under (`FailureSignature`'s text).
  package var signature: String
  package var count: Int
  package var lowestSeed: UInt64?
  package var finding: FuzzCampaignFinding?

  package init(signature: String, count: Int, lowestSeed: UInt64?, finding: FuzzCampaignFinding?) {
    self.signature = signature
    self.count = count
    self.lowestSeed = lowestSeed
    self.finding = finding
  }
}

/// The minimal case a campaign committed for a signature, and what it reports about it.
package struct FuzzCampaignFinding: Hashable, Sendable {
  /// The seed it was shrunk from.
  package var shrunkSeed: UInt64
  /// The `fuzz_failures` row it counts in (its signature differs from the tallied one
  /// only for `nondeterminism`).
  package var hostProfile: String
  package var storedSignature: String
  package var session: SessionID?
  package var regressionFile: String?
  /// `not_written`, `new`, `known` or `replaced`.
  package var corpus: String
  package var minimalSteps: Int
  package var minimalChoices: Int
  package var minimalDetail: String
  package var secondsToFirst: Double?

  package init(
    shrunkSeed: UInt64, hostProfile: String, storedSignature: String, session: SessionID?,
    regressionFile: String?, corpus: String, minimalSteps: Int, minimalChoices: Int,
    minimalDetail: String, secondsToFirst: Double?
  ) {
    self.shrunkSeed = shrunkSeed
    self.hostProfile = hostProfile
    self.storedSignature = storedSignature
    self.session = session
    self.regressionFile = regressionFile
    self.corpus = corpus
    self.minimalSteps = minimalSteps
    self.minimalChoices = minimalChoices
    self.minimalDetail = minimalDetail
    self.secondsToFirst = secondsToFirst
  }
}

/// A campaign's checkpoint as stored: the watermark and each signature's counts below it.
package struct FuzzCampaignCheckpoint: Sendable {
  package var seedsDone: UInt64
  package var guestErrors: UInt64
  /// Signature text to (count, lowest seed).
  package var tallies: [String: (count: Int, lowestSeed: UInt64)]
  /// The guest errors by rule (root cause text) to (count, lowest seed).
  package var guestErrorRules: [String: (count: Int, lowestSeed: UInt64)]

  package init(
    seedsDone: UInt64, guestErrors: UInt64, tallies: [String: (count: Int, lowestSeed: UInt64)],
    guestErrorRules: [String: (count: Int, lowestSeed: UInt64)] = [:]
  ) {
    self.seedsDone = seedsDone
    self.guestErrors = guestErrors
    self.tallies = tallies
    self.guestErrorRules = guestErrorRules
  }
}

/// A rule a campaign's guests broke: its count as of the watermark, and the session of its
/// lowest seed's shrunk case once the campaign stored one.
package struct FuzzCampaignGuestErrorRule: Hashable, Sendable {
  /// The root cause the runs ended with (`guest.slot_cleared_without_eom`, ...).
  package var rule: String
  package var count: Int
  package var lowestSeed: UInt64
  package var session: SessionID?
  package var minimalSteps: Int?

  package init(
    rule: String, count: Int, lowestSeed: UInt64, session: SessionID? = nil,
    minimalSteps: Int? = nil
  ) {
    self.rule = rule
    self.count = count
    self.lowestSeed = lowestSeed
    self.session = session
    self.minimalSteps = minimalSteps
  }
}

extension EventStore {
  /// Starts recording a campaign; returns its id.
  package func beginFuzzCampaign(identity: String) throws(StoreError) -> Int64 {
    guard !isReadOnly else { throw .readOnly(path: path) }
    return try withErrors {
      try pool.write { db in
        try db.execute(
          sql: "INSERT INTO fuzz_campaigns (identity, status) VALUES (?, 'running')",
          arguments: [identity])
        return db.lastInsertedRowID
      }
    }
  }

  /// Campaigns not marked finished, newest first.
  package func unfinishedFuzzCampaigns() throws(StoreError) -> [FuzzCampaignRecord] {
    try withErrors {
      try pool.read { db in
        try Row.fetchAll(
          db, sql: "SELECT * FROM fuzz_campaigns WHERE status = 'running' ORDER BY id DESC"
        ).map(Self.campaign(row:))
      }
    }
  }

  /// Every campaign, oldest first.
  package func fuzzCampaigns() throws(StoreError) -> [FuzzCampaignRecord] {
    try withErrors { try pool.read { db in try Self.fuzzCampaigns(db) } }
  }

  static func fuzzCampaigns(_ db: Database) throws -> [FuzzCampaignRecord] {
    // A file opened read-only keeps its schema: one written before v7 has no campaigns.
    guard try db.tableExists("fuzz_campaigns") else { return [] }
    return try Row.fetchAll(db, sql: "SELECT * FROM fuzz_campaigns ORDER BY id").map(campaign(row:))
  }

  /// The guest errors of every campaign here, by rule (by lowest seed, as `fuzz` lists
  /// them): counts added up, and the lowest seed with the session of its case. Campaigns
  /// over disjoint seeds (the shards of one campaign, merged) thus read as one campaign over
  /// all of them would.
  package func guestErrorRulesOfAllCampaigns() throws(StoreError) -> [FuzzCampaignGuestErrorRule] {
    try withErrors { try pool.read { db in try Self.guestErrorRulesOfAllCampaigns(db) } }
  }

  static func guestErrorRulesOfAllCampaigns(_ db: Database) throws -> [FuzzCampaignGuestErrorRule] {
    var rules: [String: FuzzCampaignGuestErrorRule] = [:]
    // By campaign, so that of two campaigns with the same lowest seed the older one's case
    // is the one kept.
    for row in try Row.fetchAll(
      db, sql: "SELECT * FROM fuzz_campaign_guest_errors ORDER BY campaign_id, rule")
    {
      let rule = guestErrorRule(row: row)
      guard var combined = rules[rule.rule] else {
        rules[rule.rule] = rule
        continue
      }
      combined.count += rule.count
      if rule.lowestSeed < combined.lowestSeed {
        combined.lowestSeed = rule.lowestSeed
        combined.session = rule.session
        combined.minimalSteps = rule.minimalSteps
      }
      rules[rule.rule] = combined
    }
    return rules.values.sorted { ($0.lowestSeed, $0.rule) < ($1.lowestSeed, $1.rule) }
  }

  /// A campaign's signatures, by signature text.
  package func fuzzCampaignSignatures(_ campaign: Int64) throws(StoreError)
    -> [FuzzCampaignSignature]
  {
    try withErrors {
      try pool.read { db in
        try Row.fetchAll(
          db,
          sql: "SELECT * FROM fuzz_campaign_signatures WHERE campaign_id = ? ORDER BY signature",
          arguments: [campaign]
        ).map(Self.campaignSignature(row:))
      }
    }
  }

  /// Commits, in one transaction, a checkpoint and (when given) a minimal case: its
  /// `fuzz_failures` row (the lowest seed's case kept, as `merge` keeps it) and what the
  /// campaign reports about it. Each committed finding's row counts the campaign's
  /// failures below the watermark, and at least 1 once committed, so a campaign resumed
  /// after a kill adds each seed's failure once.
  package func commitFuzzCampaign(
    _ campaign: Int64, checkpoint: FuzzCampaignCheckpoint,
    finding: (tallied: String, finding: FuzzCampaignFinding, record: FuzzFailureRecord)?,
    finished: Bool
  ) throws(StoreError) -> FuzzFailureRecord? {
    guard !isReadOnly else { throw .readOnly(path: path) }
    return try withErrors {
      try pool.write { db in
        var stored: FuzzFailureRecord?
        if let finding {
          stored = try Self.commitFinding(
            db, campaign, finding.tallied, finding.finding, finding.record)
        }
        try db.execute(
          sql:
            "UPDATE fuzz_campaigns SET seeds_done = ?, guest_errors = ?, status = ? WHERE id = ?",
          arguments: [
            Int64(bitPattern: checkpoint.seedsDone), Int64(bitPattern: checkpoint.guestErrors),
            finished ? "finished" : "running", campaign,
          ])
        for (signature, tally) in checkpoint.tallies {
          try db.execute(
            sql: """
              INSERT INTO fuzz_campaign_signatures (campaign_id, signature, count, lowest_seed)
              VALUES (?, ?, ?, ?)
              ON CONFLICT (campaign_id, signature) DO UPDATE SET
                count = excluded.count, lowest_seed = excluded.lowest_seed
              """,
            arguments: [campaign, signature, tally.count, Int64(bitPattern: tally.lowestSeed)])
        }
        for (rule, tally) in checkpoint.guestErrorRules {
          try db.execute(
            sql: """
              INSERT INTO fuzz_campaign_guest_errors (campaign_id, rule, count, lowest_seed)
              VALUES (?, ?, ?, ?)
              ON CONFLICT (campaign_id, rule) DO UPDATE SET
                count = excluded.count, lowest_seed = excluded.lowest_seed,
                session_id = iif(lowest_seed = excluded.lowest_seed, session_id, NULL),
                minimal_steps = iif(lowest_seed = excluded.lowest_seed, minimal_steps, NULL)
              """,
            arguments: [campaign, rule, tally.count, Int64(bitPattern: tally.lowestSeed)])
        }
        try Self.reconcileCounts(db, campaign)
        return stored
      }
    }
  }

  /// A campaign's guest errors by rule, by rule.
  package func fuzzCampaignGuestErrorRules(_ campaign: Int64) throws(StoreError)
    -> [FuzzCampaignGuestErrorRule]
  {
    try withErrors {
      try pool.read { db in
        try Row.fetchAll(
          db,
          sql: "SELECT * FROM fuzz_campaign_guest_errors WHERE campaign_id = ? ORDER BY rule",
          arguments: [campaign]
        ).map(Self.guestErrorRule(row:))
      }
    }
  }

  /// Records the session holding the shrunk case of a rule's lowest seed (stored by the
  /// caller), for a rule the campaign's checkpoint counts.
  package func recordFuzzCampaignGuestErrorCase(
    _ campaign: Int64, rule: String, lowestSeed: UInt64, session: SessionID, minimalSteps: Int
  ) throws(StoreError) {
    guard !isReadOnly else { throw .readOnly(path: path) }
    try withErrors {
      try pool.write { db in
        try db.execute(
          sql: """
            UPDATE fuzz_campaign_guest_errors SET session_id = ?, minimal_steps = ?
            WHERE campaign_id = ? AND rule = ? AND lowest_seed = ?
            """,
          arguments: [
            session.rawValue, minimalSteps, campaign, rule, Int64(bitPattern: lowestSeed),
          ])
      }
    }
  }

  private static func commitFinding(
    _ db: Database, _ campaign: Int64, _ tallied: String, _ finding: FuzzCampaignFinding,
    _ record: FuzzFailureRecord
  ) throws -> FuzzFailureRecord {
    let existed =
      try fuzzFailure(db, profile: record.hostProfile, signature: record.signature) != nil
    var record = record
    record.count = 1
    let stored = try upsertFuzzFailure(db, record, addingOnConflict: 0)
    try db.execute(
      sql: """
        INSERT INTO fuzz_campaign_signatures (campaign_id, signature, counted) VALUES (?, ?, ?)
        ON CONFLICT (campaign_id, signature) DO NOTHING
        """,
      arguments: [campaign, tallied, existed ? 0 : 1])
    try db.execute(
      sql: """
        UPDATE fuzz_campaign_signatures SET shrunk_seed = ?, host_profile = ?,
          stored_signature = ?, session_id = ?, regression_file = ?, corpus = ?,
          minimal_steps = ?, minimal_choices = ?, minimal_detail = ?, seconds_to_first = ?,
          counted = CASE WHEN stored_signature IS NULL THEN ? ELSE counted END
        WHERE campaign_id = ? AND signature = ?
        """,
      arguments: [
        Int64(bitPattern: finding.shrunkSeed), finding.hostProfile, finding.storedSignature,
        stored.session?.rawValue, finding.regressionFile, finding.corpus, finding.minimalSteps,
        finding.minimalChoices, finding.minimalDetail, finding.secondsToFirst, existed ? 0 : 1,
        campaign, tallied,
      ])
    return stored
  }

  /// Brings each committed finding's `fuzz_failures` count to the campaign's count below
  /// the watermark (at least 1): adds the difference from what the campaign added so far.
  private static func reconcileCounts(_ db: Database, _ campaign: Int64) throws {
    let rows = try Row.fetchAll(
      db,
      sql: """
        SELECT signature, host_profile, stored_signature, max(count, 1) - counted AS delta
        FROM fuzz_campaign_signatures
        WHERE campaign_id = ? AND stored_signature IS NOT NULL AND max(count, 1) > counted
        """, arguments: [campaign])
    for row in rows {
      let delta: Int = row["delta"]
      try db.execute(
        sql: "UPDATE fuzz_failures SET count = count + ? WHERE host_profile = ? AND signature = ?",
        arguments: [delta, row["host_profile"] as String?, row["stored_signature"] as String?])
      try db.execute(
        sql: """
          UPDATE fuzz_campaign_signatures SET counted = counted + ?
          WHERE campaign_id = ? AND signature = ?
          """, arguments: [delta, campaign, row["signature"] as String?])
    }
  }

  private static func campaign(row: Row) -> FuzzCampaignRecord {
    let seeds: Int64 = row["seeds_done"]
    let guestErrors: Int64 = row["guest_errors"]
    return FuzzCampaignRecord(
      id: row["id"], identity: row["identity"], finished: row["status"] == "finished",
      seedsDone: UInt64(bitPattern: seeds), guestErrors: UInt64(bitPattern: guestErrors))
  }

  private static func guestErrorRule(row: Row) -> FuzzCampaignGuestErrorRule {
    let lowest: Int64 = row["lowest_seed"]
    let session: Int64? = row["session_id"]
    return FuzzCampaignGuestErrorRule(
      rule: row["rule"], count: row["count"], lowestSeed: UInt64(bitPattern: lowest),
      session: session.map { SessionID($0) }, minimalSteps: row["minimal_steps"])
  }

  private static func campaignSignature(row: Row) -> FuzzCampaignSignature {
    let lowest: Int64? = row["lowest_seed"]
    let shrunk: Int64? = row["shrunk_seed"]
    var finding: FuzzCampaignFinding?
    if let shrunk, let profile: String = row["host_profile"],
      let stored: String = row["stored_signature"]
    {
      let session: Int64? = row["session_id"]
      finding = FuzzCampaignFinding(
        shrunkSeed: UInt64(bitPattern: shrunk), hostProfile: profile, storedSignature: stored,
        session: session.map { SessionID($0) }, regressionFile: row["regression_file"],
        corpus: row["corpus"] ?? "not_written", minimalSteps: row["minimal_steps"] ?? 0,
        minimalChoices: row["minimal_choices"] ?? 0, minimalDetail: row["minimal_detail"] ?? "",
        secondsToFirst: row["seconds_to_first"])
    }
    return FuzzCampaignSignature(
      signature: row["signature"], count: row["count"],
      lowestSeed: lowest.map { UInt64(bitPattern: $0) }, finding: finding)
  }
}
