import Foundation
import VMBusStore

/// What a database's fuzz campaigns found, read back without running anything: each
/// campaign (what it ran, how far it got), the failures, and the guest errors by rule.
/// `vmbus-sim findings` shows it; it is what `fuzz` printed at its end, and what a campaign
/// killed on a batch node had committed.
package struct StoredFindings: Sendable {
  package var campaigns: [CampaignListing]
  /// Every failure of the database, as `fuzz_failures` holds them, under today's root-cause
  /// names.
  package var failures: [FuzzFailureRecord]
  /// The guest errors of every campaign, by rule.
  package var guestErrorRules: [FuzzCampaignGuestErrorRule]

  package static func read(from store: EventStore) throws(SessionsError) -> StoredFindings {
    do {
      return StoredFindings(
        campaigns: try store.fuzzCampaigns().map(CampaignListing.init),
        failures: try store.fuzzFailures().underCurrentRootCauseNames(),
        guestErrorRules: try store.guestErrorRulesOfAllCampaigns())
    } catch {
      throw .store(error)
    }
  }
}

/// One campaign of a database: its record, and what it ran, read from its identity.
package struct CampaignListing: Sendable {
  package var record: FuzzCampaignRecord
  /// The scenario files, as `fuzz` was given them.
  package var scenarios: [String]
  /// The options, as `fuzz` flags (`--guest linux`, `--seeds 3000`, `--shard 1/3`): enough to
  /// repeat the command with `--resume`.
  package var options: [String]
  /// The build that ran it (``BuildIdentity``), nil for a campaign recorded without one.
  package var build: String?

  /// Whether this build can continue it with `--resume`.
  package var resumableByThisBuild: Bool { build == BuildIdentity.current }

  init(_ record: FuzzCampaignRecord) {
    self.record = record
    guard
      let identity = try? JSONDecoder().decode(
        CampaignIdentity.self, from: Data(record.identity.utf8))
    else {
      // An identity this build cannot read: shown as stored.
      scenarios = []
      options = [record.identity]
      build = nil
      return
    }
    build = identity.build
    scenarios = identity.scenarios.map(\.path)
    var options: [String] = []
    if let profile = identity.profile { options += ["--host", profile] }
    if let release = identity.qemuRelease { options += ["--qemu-release", release] }
    options += ["--guest", identity.guest]
    if let seeds = identity.seeds { options += ["--seeds", "\(seeds)"] }
    if let seconds = identity.seconds { options += ["--time", Self.duration(seconds)] }
    if identity.seedBase != 0 { options += ["--seed-base", "\(identity.seedBase)"] }
    if identity.shard != "0/1" { options += ["--shard", identity.shard] }
    self.options = options
  }

  /// `90s`, or `1.5s`: a `--time` argument that reads back as the same duration.
  private static func duration(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
  }
}
