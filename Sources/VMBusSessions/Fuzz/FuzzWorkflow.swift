import Foundation
import VMBusHost
import VMBusSim
import VMBusStore

/// What `fuzz` was asked to do.
public struct FuzzOptions: Sendable {
  public var scenarioPaths: [String]
  public var profile: HostProfile?
  public var seedCount: UInt64?
  public var duration: Duration?
  public var seedBase: UInt64
  public var jobs: Int
  public var shard: (index: UInt64, count: UInt64)
  /// Where minimal cases are written as regression files; nil writes none.
  public var regressionsDirectory: String?

  public init(
    scenarioPaths: [String], profile: HostProfile?, seedCount: UInt64?, duration: Duration?,
    seedBase: UInt64, jobs: Int, shard: (index: UInt64, count: UInt64),
    regressionsDirectory: String?
  ) {
    self.scenarioPaths = scenarioPaths
    self.profile = profile
    self.seedCount = seedCount
    self.duration = duration
    self.seedBase = seedBase
    self.jobs = jobs
    self.shard = shard
    self.regressionsDirectory = regressionsDirectory
  }
}

/// One distinct failure as `fuzz` reports it.
public struct FuzzFinding: Sendable {
  public var property: String
  public var signature: String
  public var count: Int
  public var firstSeed: UInt64
  public var detail: String
  /// The regression file written for its minimal case.
  public var minimal: String?
  public var session: SessionID?
  /// Guest steps and scheduler choices of the minimal case.
  public var minimalSteps: Int
  public var minimalChoices: Int
}

public struct FuzzSummary: Sendable {
  public var runs: UInt64
  public var findings: [FuzzFinding]
  public var runsPerSecond: Double
  public var distinctStates: Int
  public var elapsed: Duration
  public var timeToFirstFailure: Duration?
}

/// What the exhaustive mode reports.
public struct ExploreSummary: Sendable {
  public var states: Int
  public var distinctStates: Int
  public var truncated: Int
  public var elapsed: Duration
  public var findings: [FuzzFinding]

  public var statesPerSecond: Double {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Double(states) / seconds : 0
  }
}

/// Runs a campaign, then stores each distinct failure's minimal case as a session, writes
/// it as a regression file and records the failure in the database.
public enum FuzzWorkflow {
  public static func run(
    _ options: FuzzOptions, store: EventStore,
    progress: @Sendable (FuzzCampaign.Progress) -> Void = { _ in }
  ) throws(SessionsError) -> FuzzSummary {
    let scenarios = try options.scenarioPaths.map { path throws(SessionsError) in
      try ScenarioRunner(path: path, seed: 0).load().scenario
    }
    guard !scenarios.isEmpty else { throw .usage("no scenarios to fuzz") }
    let campaign = FuzzCampaign(
      FuzzCampaign.Configuration(
        scenarios: scenarios, profile: options.profile, seedBase: options.seedBase,
        seedCount: options.seedCount, duration: options.duration, jobs: options.jobs,
        shard: options.shard))
    let report = campaign.run(progress: progress)
    var findings: [FuzzFinding] = []
    for group in report.failures {
      findings.append(try persist(group, options: options, store: store))
    }
    return FuzzSummary(
      runs: report.runs, findings: findings, runsPerSecond: report.runsPerSecond,
      distinctStates: report.distinctStates, elapsed: report.elapsed,
      timeToFirstFailure: report.timeToFirstFailure)
  }

  /// `fuzz --exhaustive`: every schedule of each scenario up to `depth`.
  public static func explore(
    _ options: FuzzOptions, depth: Int, store: EventStore
  ) throws(SessionsError) -> ExploreSummary {
    var summary = ExploreSummary(
      states: 0, distinctStates: 0, truncated: 0, elapsed: .zero, findings: [])
    for path in options.scenarioPaths {
      var scenario = try ScenarioRunner(path: path, seed: 0).load().scenario
      if let profile = options.profile { scenario.host.profile = profile }
      let report = Explorer(scenario: scenario, depth: depth).run()
      summary.states += report.states
      summary.distinctStates += report.distinctStates
      summary.truncated += report.truncated
      summary.elapsed += report.elapsed
      for (_, fuzzCase) in report.failures {
        // Replay the path through the ordinary scheduler for the canonical failure.
        let run = fuzzCase.run(transcript: true)
        guard let failure = PropertyChecker.check(run),
          !summary.findings.contains(where: { $0.signature == failure.signature })
        else { continue }
        let group = FuzzCampaign.FailureGroup(
          failure: failure, count: 1, firstSeed: 0, minimal: fuzzCase, minimalRun: run,
          minimalFailure: failure)
        summary.findings.append(try persist(group, options: options, store: store))
      }
    }
    return summary
  }

  private static func persist(
    _ group: FuzzCampaign.FailureGroup, options: FuzzOptions, store: EventStore
  ) throws(SessionsError) -> FuzzFinding {
    let run = group.minimalRun
    let profile = group.minimal.scenario.host.profile.rawValue
    var pinned = group.minimal.pinned(
      run, failure: group.minimalFailure, events: run.events.map(\.text))
    pinned.name = "\(profile)-\(slug(group.failure.signature))"
    pinned.description =
      "fuzz: \(group.failure.signature) (first seen with seed \(group.firstSeed))"
    var path: String?
    if let directory = options.regressionsDirectory {
      path = "\(directory)/\(pinned.name).yaml"
    }
    let text = regressionText(pinned, path: path)
    let session = try ScenarioRunner.store(run, scenarioText: text, source: path, into: store)
    if let path, let directory = options.regressionsDirectory {
      do {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      } catch {
        throw .io("\(path): cannot write the regression file: \(error.localizedDescription)")
      }
    }
    let stored: FuzzFailureRecord
    do {
      stored = try store.recordFuzzFailure(
        FuzzFailureRecord(
          hostProfile: profile, signature: group.failure.signature,
          property: group.failure.property.rawValue, count: group.count,
          firstSeed: group.firstSeed, detail: group.failure.detail, session: session,
          regressionFile: path, regressionText: text))
    } catch {
      throw .store(error)
    }
    return FuzzFinding(
      property: group.failure.property.rawValue, signature: group.failure.signature,
      count: group.count, firstSeed: group.firstSeed, detail: group.minimalFailure.detail,
      minimal: path, session: stored.session ?? session, minimalSteps: group.minimal.stepCount,
      minimalChoices: pinned.regression?.choices.count ?? 0)
  }

  /// The regression file: a comment with the command that reproduces it, then the scenario.
  static func regressionText(_ scenario: Scenario, path: String?) -> String {
    let command = "vmbus-sim run \(path ?? "FILE.yaml")"
    return "# Found by vmbus-sim fuzz; minimal case. Reproduce: \(command)\n"
      + "# Checked by: vmbus-sim check \(path ?? "FILE.yaml")\n" + ScenarioWriter.yaml(scenario)
  }

  /// A file-name-safe form of a signature.
  static func slug(_ signature: String) -> String {
    var text = ""
    for character in signature.lowercased() {
      if character.isLetter || character.isNumber {
        text.append(character)
      } else if text.last != "-" {
        text.append("-")
      }
    }
    while text.last == "-" { text.removeLast() }
    return String(text.prefix(80))
  }
}
