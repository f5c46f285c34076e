import Foundation
import VMBusStore

/// What a campaign runs, stored with it: `fuzz --resume` continues only a campaign whose
/// identity is this one (same scenario files with the same contents, same seeds, same build).
struct CampaignIdentity: Codable, Equatable {
  struct ScenarioFile: Codable, Equatable {
    var path: String
    /// FNV-1a 64 of the file's bytes, in hex: an edited scenario is another campaign.
    var contents: String
  }

  var scenarios: [ScenarioFile]
  var profile: String?
  var qemuRelease: String?
  var guest: String
  var seedBase: UInt64
  var shard: String
  var seeds: UInt64?
  var seconds: Double?
  /// The build that ran it (``BuildIdentity``): another build mutates and schedules each
  /// seed differently. Absent from campaigns stored before it was recorded.
  var build: String?

  init(_ options: FuzzOptions) throws(SessionsError) {
    var files: [ScenarioFile] = []
    for path in options.scenarioPaths {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw .missingInput("\(path): cannot read the scenario file")
      }
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
      files.append(ScenarioFile(path: path, contents: String(hash, radix: 16)))
    }
    scenarios = files
    profile = options.profile?.rawValue
    qemuRelease = options.qemuRelease?.rawValue
    guest = options.guestInputs.rawValue
    seedBase = options.seedBase
    shard = "\(options.shard.index)/\(options.shard.count)"
    seeds = options.seedCount
    seconds = options.duration.map {
      Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
    }
    build = BuildIdentity.current
  }

  /// The JSON stored in `fuzz_campaigns.identity` (keys sorted, so equal identities are
  /// equal texts).
  var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// What differs from a stored identity, one phrase per key (`seeds: 300, not 200`).
  func differences(from stored: String) -> [String] {
    func object(_ text: String) -> [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
    func text(_ value: Any?) -> String {
      guard let value, !(value is NSNull) else { return "none" }
      guard
        let data = try? JSONSerialization.data(
          withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
      else { return "\(value)" }
      return String(decoding: data, as: UTF8.self)
    }
    let mine = object(json)
    let theirs = object(stored)
    return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
      let (old, new) = (text(theirs[key]), text(mine[key]))
      return old == new ? nil : "\(key): \(old), not \(new)"
    }
  }

  /// The campaign to resume in `store`: the newest unfinished one with this identity.
  func resumable(in store: EventStore) throws(SessionsError) -> FuzzCampaignRecord {
    let unfinished: [FuzzCampaignRecord]
    do {
      unfinished = try store.unfinishedFuzzCampaigns()
    } catch {
      throw .store(error)
    }
    if let match = unfinished.first(where: { $0.identity == json }) { return match }
    guard let newest = unfinished.first else {
      throw .withRemedy(
        .usage("\(store.path): no unfinished fuzz campaign to resume"), .startNewCampaign)
    }
    // The same inputs from another build: say so, rather than list a hash as an input.
    if let build,
      var theirs = try? JSONDecoder().decode(Self.self, from: Data(newest.identity.utf8))
    {
      let other = theirs.build.map { "build ID \($0)" } ?? "a build that recorded none"
      theirs.build = build
      if theirs.json == json {
        throw .withRemedy(
          .usage(
            "\(store.path): the unfinished campaign \(newest.id) ran the same inputs with another build of vmbus-sim (\(other); this one is \(build)); each build mutates and schedules a seed its own way, so resume it with that build"
          ), .startNewCampaign)
      }
    }
    throw .withRemedy(
      .usage(
        "\(store.path): the unfinished campaign \(newest.id) ran other inputs ("
          + differences(from: newest.identity).joined(separator: "; ")
          + "); give the same scenarios and options"), .startNewCampaign)
  }
}
