import Foundation
import VMBusHost
import VMBusSim
import VMBusStore

/// What `fuzz` was asked to do.
package struct FuzzOptions: Sendable {
  package var scenarioPaths: [String]
  package var profile: HostProfile?
  /// Overrides every scenario's QEMU release when set.
  package var qemuRelease: QEMURelease?
  /// What the mutator may make the guest do.
  package var guestInputs: GuestInputs
  /// The paths are every bundled scenario, not the user's choice: under `.linux` those not
  /// written in `linux.*` steps alone are left out rather than refused.
  package var defaultScenarios: Bool
  package var seedCount: UInt64?
  package var duration: Duration?
  package var seedBase: UInt64
  package var jobs: Int
  package var shard: (index: UInt64, count: UInt64)
  /// Where minimal cases are written as regression files; nil writes none.
  package var regressionsDirectory: String?
  /// Whether a strictly smaller minimal case (fewer steps, then fewer choices) replaces the
  /// regression file already recording its signature. Without it no file is ever rewritten.
  package var replaceSmaller: Bool
  /// Continue the newest unfinished campaign with the same scenarios and options in the
  /// database, from its checkpoint, instead of starting a new one.
  package var resume = false
  /// Called after each commit of a finding or checkpoint (a seam for durability tests).
  package var afterCommit: (@Sendable () -> Void)?

  package init(
    scenarioPaths: [String], profile: HostProfile?, qemuRelease: QEMURelease? = nil,
    guestInputs: GuestInputs = .any, defaultScenarios: Bool = false,
    seedCount: UInt64?, duration: Duration?,
    seedBase: UInt64, jobs: Int, shard: (index: UInt64, count: UInt64),
    regressionsDirectory: String?, replaceSmaller: Bool = false
  ) {
    self.replaceSmaller = replaceSmaller
    self.scenarioPaths = scenarioPaths
    self.profile = profile
    self.qemuRelease = qemuRelease
    self.guestInputs = guestInputs
    self.defaultScenarios = defaultScenarios
    self.seedCount = seedCount
    self.duration = duration
    self.seedBase = seedBase
    self.jobs = jobs
    self.shard = shard
    self.regressionsDirectory = regressionsDirectory
  }
}

/// How a finding was found, as its regression file's description says.
package enum FindingOrigin: Sendable, CustomStringConvertible {
  /// A campaign's lowest failing seed, the one shrunk.
  case lowestSeed(UInt64)
  /// The exhaustive mode, exploring to this depth.
  case exploration(depth: Int)

  package var description: String {
    switch self {
    case .lowestSeed(let seed): "lowest seed \(seed)"
    case .exploration(let depth): "exhaustive, depth \(depth)"
    }
  }

  /// The depth, for a finding of the exhaustive mode.
  var exploredDepth: Int? {
    if case .exploration(let depth) = self { depth } else { nil }
  }
}

/// What became of a finding's regression file.
package enum CorpusStatus: String, Sendable {
  /// No file was written (`--no-regressions`).
  case notWritten = "not_written"
  /// A new file was written.
  case new
  /// A file already records this signature; it was kept as it is.
  case known
  /// A file recorded this signature with a bigger case; `--replace-smaller` replaced it.
  case replaced
}

/// One distinct failure as `fuzz` reports it.
package struct FuzzFinding: Sendable {
  package var signature: FailureSignature
  package var count: Int
  /// The lowest seed that failed with this signature (the one shrunk).
  package var firstSeed: UInt64
  package var detail: String
  /// The regression file of its signature: the one written, or the one already there.
  package var minimal: String?
  package var corpus: CorpusStatus
  package var session: SessionID?
  /// Guest steps and scheduler choices of the minimal case.
  package var minimalSteps: Int
  package var minimalChoices: Int
  /// How long the campaign ran before it first saw this signature.
  package var timeToFirst: Duration?
  /// The exhaustive mode's: the choices of the path that first reached the failure, before
  /// shrinking.
  package var exploredChoices: Int?
  /// The exhaustive mode's: the scenario whose exploration found it.
  package var scenario: String?
}

/// A rule the campaign's guests broke: its runs are guest errors, not failures, and the
/// stored case lets a reader check the oracle's verdict.
package struct GuestErrorRule: Sendable {
  /// The run's root cause (`guest.slot_cleared_without_eom`, ...).
  package var rule: RootCause
  /// Where the shrunk case comes from.
  package enum Origin: Sendable {
    /// A campaign's lowest seed with the rule.
    case lowestSeed(UInt64)
    /// The first path to the rule in this scenario's exploration.
    case exploration(scenario: String)
  }

  /// Runs that ended so (a campaign's seeds, or an exploration's distinct ends).
  package var count: Int
  package var origin: Origin
  /// The session of the lowest seed's shrunk case (nil when that seed no longer ends in
  /// the guest error, a resumed campaign's seed run by another build, or also fails).
  package var session: SessionID?
  /// Guest steps of the shrunk case.
  package var minimalSteps: Int?
}

package struct FuzzSummary: Sendable {
  package var runs: UInt64
  package var findings: [FuzzFinding]
  /// Runs that ended in a guest error (the guest broke the protocol): not failures.
  package var guestErrors: UInt64
  /// The guest errors by rule, by lowest seed.
  package var guestErrorRules: [GuestErrorRule] = []
  /// The campaign ran `--guest linux`: a guest error then says unmodified Linux (or its
  /// model) broke the protocol.
  package var linuxGuest = false
  package var runsPerSecond: Double
  package var distinctStates: Int
  /// The seeds' wall-clock time.
  package var elapsed: Duration
  /// The wall-clock time spent shrinking after the seeds (a `--time` budget excludes it).
  package var shrinkElapsed: Duration
  package var timeToFirstFailure: Duration?
  /// Seeds a resumed campaign had already run before this process (counted in ``runs``).
  package var resumedSeeds: UInt64 = 0
}

/// What the exhaustive mode reports.
package struct ExploreSummary: Sendable {
  package var states: Int
  package var distinctStates: Int
  package var truncated: Int
  /// States left unexpanded because a calm subtree covered them (see
  /// `Explorer.Report.covered`).
  package var covered = 0
  /// Failures whose explored path did not fail when replayed (see
  /// `Explorer.Report.unreproduced`): 0 unless this tool has a bug.
  package var unreproduced = 0
  /// The time spent exploring, without ``shrinkElapsed``.
  package var elapsed: Duration
  /// The time spent shrinking what the exploration found.
  package var shrinkElapsed: Duration = .zero
  /// The scenarios whose exploration stopped at the state limit before it had explored
  /// every schedule up to the depth.
  package var stoppedAtStateLimit: [String] = []
  /// The scenarios where a path ran past the scenario's `max_time` (see
  /// `Explorer.Report.reachedTimeLimit`): schedules past the limit may be missing.
  package var reachedTimeLimit: [String] = []
  package var findings: [FuzzFinding]
  /// The explored runs that ended in a guest error, per scenario and rule.
  package var guestErrorRules: [GuestErrorRule] = []
  /// The exploration ran `--guest linux` (see ``FuzzSummary/linuxGuest``).
  package var linuxGuest = false

  /// Whether every schedule up to the depth was explored.
  package var isComplete: Bool { stoppedAtStateLimit.isEmpty && reachedTimeLimit.isEmpty }

  package var statesPerSecond: Double {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Double(states) / seconds : 0
  }
}

/// Runs a campaign, then stores each distinct failure's minimal case as a session, writes
/// it as a regression file and records the failure in the database.
package enum FuzzWorkflow {
  package static func run(
    _ options: FuzzOptions, store: EventStore,
    progress: @Sendable (FuzzCampaign.Progress) -> Void = { _ in }
  ) throws(SessionsError) -> FuzzSummary {
    let scenarios = try loadScenarios(options)
    let campaign = FuzzCampaign(
      FuzzCampaign.Configuration(
        scenarios: scenarios, profile: options.profile, qemuRelease: options.qemuRelease,
        seedBase: options.seedBase,
        seedCount: options.seedCount, duration: options.duration, jobs: options.jobs,
        shard: options.shard, guestInputs: options.guestInputs))
    let identity = try CampaignIdentity(options)
    let corpus = try options.regressionsDirectory.map { directory throws(SessionsError) in
      try RegressionCorpus(directory: directory)
    }
    let id: Int64
    var resume: FuzzCampaign.Resume?
    var restored: [String: FuzzCampaignFinding] = [:]
    let record = options.resume ? try identity.resumable(in: store) : nil
    do throws(StoreError) {
      if let record {
        id = record.id
        var checkpoint = FuzzCampaign.Checkpoint(
          seedsDone: record.seedsDone, guestErrors: record.guestErrors)
        var shrunk: [FailureSignature: UInt64] = [:]
        for row in try store.fuzzCampaignSignatures(id) {
          guard let signature = FailureSignature(text: row.signature) else { continue }
          if let lowest = row.lowestSeed, row.count > 0 {
            checkpoint.tallies[signature] = FuzzCampaign.Tally(count: row.count, lowestSeed: lowest)
          }
          if let finding = row.finding {
            shrunk[signature] = finding.shrunkSeed
            restored[row.signature] = finding
          }
        }
        var guestErrorCases: [RootCause: UInt64] = [:]
        for row in try store.fuzzCampaignGuestErrorRules(id) {
          let rule = RootCause(row.rule)
          checkpoint.guestErrorRules[rule] = FuzzCampaign.Tally(
            count: row.count, lowestSeed: row.lowestSeed)
          if row.session != nil { guestErrorCases[rule] = row.lowestSeed }
        }
        resume = FuzzCampaign.Resume(
          checkpoint: checkpoint, shrunk: shrunk, guestErrorCases: guestErrorCases)
      } else {
        id = try store.beginFuzzCampaign(identity: identity.json)
      }
    } catch {
      throw .store(error)
    }
    let sink = CampaignStoreSink(
      store: store, campaign: id, options: options, corpus: corpus, restored: restored)
    let report = try campaign.run(resuming: resume, into: sink, progress: progress)
    let findings = try sink.findings()
    var summary = FuzzSummary(
      runs: report.runs, findings: findings, guestErrors: report.guestErrors,
      guestErrorRules: try guestErrorRules(report, id, store: store),
      runsPerSecond: report.runsPerSecond,
      distinctStates: report.distinctStates, elapsed: report.elapsed,
      shrinkElapsed: report.shrinkElapsed, timeToFirstFailure: report.timeToFirstFailure)
    summary.resumedSeeds = report.resumedSeeds
    summary.linuxGuest = options.guestInputs == .linux
    return summary
  }

  /// The rules the campaign's guests broke, by lowest seed, with the sessions of their
  /// shrunk cases as the campaign committed them.
  private static func guestErrorRules(_ report: FuzzCampaign.Report, _ id: Int64, store: EventStore)
    throws(SessionsError) -> [GuestErrorRule]
  {
    var stored: [String: FuzzCampaignGuestErrorRule] = [:]
    do {
      for row in try store.fuzzCampaignGuestErrorRules(id) { stored[row.rule] = row }
    } catch {
      throw .store(error)
    }
    return report.guestErrorRules.sorted {
      ($0.value.lowestSeed, $0.key) < ($1.value.lowestSeed, $1.key)
    }.map { rule, tally in
      var summary = GuestErrorRule(
        rule: rule, count: tally.count, origin: .lowestSeed(tally.lowestSeed))
      if let row = stored[rule.rawValue], row.lowestSeed == tally.lowestSeed {
        summary.session = row.session
        summary.minimalSteps = row.minimalSteps
      }
      return summary
    }
  }

  /// Stores the shrunk case of a guest error as a session whose scenario text pins it
  /// (`property: guest_error`), so that `verify` re-runs it and `check` holds it to its rule.
  static func storeGuestErrorCase(
    _ minimal: FuzzCase, _ run: SimulationRun, _ rule: RootCause, origin: FindingOrigin,
    options: FuzzOptions, store: EventStore
  ) throws(SessionsError) -> SessionID {
    var pinned = minimal.pinned(run, guestError: rule, events: run.events.map(\.text))
    pinned.name = guestErrorCaseName(rule, profile: pinned.host.profile, options.guestInputs)
    pinned.description = "fuzz: \(RecordedSignature.guestError(rule)) (\(origin)), not a failure"
    return try ScenarioRunner.store(
      run, scenarioText: regressionText(pinned, path: nil), source: nil, into: store)
  }

  /// `qemu-guest_error-guest.slot_cleared_without_eom`, with `linux-` first for a Linux
  /// guest's campaign: the session's name, in the regression files' pattern.
  private static func guestErrorCaseName(
    _ rule: RootCause, profile: HostProfile, _ inputs: GuestInputs
  ) -> String {
    (inputs == .linux ? "linux-" : "") + "\(profile.rawValue)-guest_error-\(rule)"
  }

  /// `fuzz --exhaustive`: every schedule of each scenario up to `depth` (or its first
  /// `stateLimit` states), telling `progress` where the exploration of each (by its name)
  /// stands from time to time.
  package static func explore(
    _ options: FuzzOptions, depth: Int, stateLimit: Int = Explorer.defaultStateLimit,
    store: EventStore,
    progress: (_ scenario: String, Explorer.Progress) -> Void = { _, _ in }
  ) throws(SessionsError) -> ExploreSummary {
    let clock = ContinuousClock()
    var summary = ExploreSummary(
      states: 0, distinctStates: 0, truncated: 0, elapsed: .zero, findings: [])
    summary.linuxGuest = options.guestInputs == .linux
    var corpus = try options.regressionsDirectory.map { directory throws(SessionsError) in
      try RegressionCorpus(directory: directory)
    }
    for var scenario in try loadScenarios(options) {
      if let profile = options.profile { scenario.host.profile = profile }
      if let release = options.qemuRelease { scenario.host.qemuRelease = release }
      // Each finding is stored and filed as soon as it is found: a killed exploration keeps
      // what it found.
      let name = scenario.name
      let explorer = Explorer(scenario: scenario, depth: depth, stateLimit: stateLimit)
      let report = try explorer.run(progress: { progress(name, $0) }) {
        (_, explored) throws(SessionsError) in
        // Replay the path through the ordinary scheduler for the canonical failure.
        let run = explored.run(transcript: true)
        guard let failure = PropertyChecker.check(run),
          !summary.findings.contains(where: { $0.signature == failure.signature })
        else { return }
        // Shrunk as a campaign's finding is: the path the search met first carries every
        // step of the scenario and every choice on the way, most of them beside the point.
        let shrinkStart = clock.now
        var shrinker = Shrinker(signature: failure.signature, inputs: options.guestInputs)
        let minimal = shrinker.shrink(explored)
        let minimalRun = minimal.run(transcript: true)
        summary.shrinkElapsed += clock.now - shrinkStart
        let group = FuzzCampaign.FailureGroup(
          failure: failure, count: 1, firstSeed: 0, minimal: minimal, minimalRun: minimalRun,
          minimalFailure: PropertyChecker.check(minimalRun) ?? failure)
        var finding = try persist(
          group, options: options, corpus: &corpus, store: store,
          foundBy: .exploration(depth: depth))
        finding.exploredChoices = explored.choices.count
        finding.scenario = name
        summary.findings.append(finding)
      }
      // Each rule's first path, shrunk and stored as the campaign's lowest seeds are.
      let shrinkStart = clock.now
      for (rule, paths) in report.guestErrorRules.sorted(by: { $0.key < $1.key }) {
        var summaryRule = GuestErrorRule(
          rule: rule, count: paths.count, origin: .exploration(scenario: name))
        if let (minimal, run) = paths.first.shrunk(toGuestError: rule, inputs: options.guestInputs)
        {
          summaryRule.session = try storeGuestErrorCase(
            minimal, run, rule, origin: .exploration(depth: depth), options: options,
            store: store)
          summaryRule.minimalSteps = minimal.stepCount
        }
        summary.guestErrorRules.append(summaryRule)
      }
      summary.shrinkElapsed += clock.now - shrinkStart
      summary.states += report.states
      summary.distinctStates += report.distinctStates
      summary.truncated += report.truncated
      summary.covered += report.covered
      summary.unreproduced += report.unreproduced
      if report.stoppedAtStateLimit { summary.stoppedAtStateLimit.append(name) }
      if report.reachedTimeLimit { summary.reachedTimeLimit.append(name) }
      summary.elapsed += report.elapsed
    }
    return summary
  }

  /// The scenarios to fuzz or explore. Under `.linux` a scenario with a step Linux does not
  /// take (a raw message, a plain wait, an environment action) or a machine Linux mode does
  /// not make (message page faults, vCPUs without SynIC) is refused, or left out of the
  /// default list, so that every finding filed as a Linux guest's is one.
  private static func loadScenarios(_ options: FuzzOptions) throws(SessionsError) -> [Scenario] {
    var scenarios: [Scenario] = []
    for path in options.scenarioPaths {
      let scenario = try ScenarioRunner(path: path, seed: 0).load().scenario
      if options.guestInputs == .linux, let beyond = scenario.beyondLinux {
        if options.defaultScenarios { continue }
        var location = ""
        if case .step(let step) = beyond, let at = step.location { location = ":\(at)" }
        throw .withRemedy(
          .usage(
            "\(path)\(location): a Linux guest's campaign fuzzes what Linux sends, and \(beyond.reason)"
          ), .fuzzAnyGuest)
      }
      scenarios.append(scenario)
    }
    guard !scenarios.isEmpty else { throw .usage("no scenarios to fuzz") }
    return scenarios
  }

  /// Where and how a minimal case is filed.
  struct Filed {
    var path: String?
    var status: CorpusStatus
    /// The regression text of this case.
    var text: String
    /// The text the corpus holds for the signature: the kept file's when it is known.
    var fileText: String
    var size: RegressionCorpus.CaseSize
    /// Whether to write `text` to `path`, and whether that replaces a file.
    var write: Bool
    var replacing: Bool
  }

  /// Decides where a minimal case goes in the corpus: the file this campaign already wrote
  /// for its signature (`ours`, replaced), a file already recording it (kept, or with
  /// `replaceSmaller` replaced by a strictly smaller case), or a new file. `foundBy` tells in
  /// the file's description how the case was found (a campaign's lowest seed when nil).
  static func file(
    _ group: FuzzCampaign.FailureGroup, options: FuzzOptions, corpus: inout RegressionCorpus?,
    ours: FuzzCampaignFinding? = nil, foundBy: FindingOrigin? = nil
  ) throws(SessionsError) -> Filed {
    let run = group.minimalRun
    let profile = group.minimal.scenario.host.profile
    let signature = group.failure.signature
    var pinned = group.minimal.pinned(
      run, failure: group.minimalFailure, events: run.events.map(\.text))
    let origin = foundBy ?? .lowestSeed(group.firstSeed)
    pinned.description = "fuzz: \(signature) (\(origin))"
    let size = RegressionCorpus.CaseSize(
      steps: group.minimal.stepCount, choices: pinned.regression?.choices.count ?? 0)
    var path: String?
    var status = CorpusStatus.notWritten
    var write = false
    var replacing = false
    if let ours, let oursPath = ours.regressionFile,
      let oursStatus = CorpusStatus(rawValue: ours.corpus),
      oursStatus == .new || oursStatus == .replaced
    {
      // A file this campaign wrote: a lower seed's case replaces it.
      path = oursPath
      pinned.name = URL(fileURLWithPath: oursPath).deletingPathExtension().lastPathComponent
      status = oursStatus
      write = true
      replacing = FileManager.default.fileExists(atPath: oursPath)
    } else if var files = corpus {
      if let existing = files.existing(signature, profile: profile, inputs: options.guestInputs) {
        path = existing.path
        pinned.name = URL(fileURLWithPath: existing.path).deletingPathExtension().lastPathComponent
        status = options.replaceSmaller && size < existing.size ? .replaced : .known
        write = status == .replaced
        replacing = write
      } else {
        pinned.name = files.freeName(
          for: signature, profile: profile, inputs: options.guestInputs)
        let newPath = "\(files.directory)/\(pinned.name).yaml"
        path = newPath
        status = .new
        write = true
        files.take(
          pinned.name + ".yaml",
          entry: RegressionCorpus.Entry(
            path: newPath, profile: profile, linuxGuest: options.guestInputs == .linux,
            signature: .typed(signature), size: size))
      }
      corpus = files
    } else {
      pinned.name = RegressionCorpus.baseName(
        for: signature, profile: profile, inputs: options.guestInputs)
    }
    let text = regressionText(pinned, path: path)
    // A kept file's own text is what the corpus holds for this signature.
    var fileText = text
    if status == .known, let path, let data = FileManager.default.contents(atPath: path) {
      fileText = String(decoding: data, as: UTF8.self)
    }
    return Filed(
      path: path, status: status, text: text, fileText: fileText, size: size, write: write,
      replacing: replacing)
  }

  /// Stores the minimal case as a session, files it in the corpus and records the failure
  /// in the database (the exhaustive mode's findings).
  private static func persist(
    _ group: FuzzCampaign.FailureGroup, options: FuzzOptions, corpus: inout RegressionCorpus?,
    store: EventStore, foundBy: FindingOrigin
  ) throws(SessionsError) -> FuzzFinding {
    let filed = try file(group, options: options, corpus: &corpus, foundBy: foundBy)
    let signature = group.failure.signature
    let session = try ScenarioRunner.store(
      group.minimalRun, scenarioText: filed.text, source: filed.path, into: store)
    if filed.write, let path = filed.path {
      try writeRegression(filed.text, to: path, replacing: filed.replacing)
    }
    let stored: FuzzFailureRecord
    do {
      stored = try store.recordFuzzFailure(
        FuzzFailureRecord(
          hostProfile: group.minimal.scenario.host.profile.rawValue,
          signature: signature.description, property: signature.property.rawValue,
          count: group.count, firstSeed: group.firstSeed, detail: group.failure.detail,
          session: session, regressionFile: filed.path, regressionText: filed.fileText,
          exploredDepth: foundBy.exploredDepth))
    } catch {
      throw .store(error)
    }
    return FuzzFinding(
      signature: signature, count: group.count, firstSeed: group.firstSeed,
      detail: group.minimalFailure.detail, minimal: filed.path, corpus: filed.status,
      session: stored.session ?? session, minimalSteps: filed.size.steps,
      minimalChoices: filed.size.choices, timeToFirst: group.timeToFirst)
  }

  /// Writes a regression file: a new one only where no file is (never overwriting one that
  /// appeared meanwhile), a replacement atomically.
  static func writeRegression(_ text: String, to path: String, replacing: Bool)
    throws(SessionsError)
  {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
      try Data(text.utf8).write(
        to: URL(fileURLWithPath: path), options: replacing ? .atomic : .withoutOverwriting)
    } catch {
      throw .io("\(path): cannot write the regression file: \(error.localizedDescription)")
    }
  }

  /// The regression file: a comment with the command that reproduces it, then the scenario.
  static func regressionText(_ scenario: Scenario, path: String?) -> String {
    let command = "vmbus-sim run \(path ?? "FILE.yaml")"
    return "# Found by vmbus-sim fuzz; minimal case. Reproduce: \(command)\n"
      + "# Checked by: vmbus-sim check \(path ?? "FILE.yaml")\n" + ScenarioWriter.yaml(scenario)
  }

}
