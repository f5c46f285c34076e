import Foundation
import Synchronization
import VMBusHost
import VMBusSim
import VMBusStore

/// Commits a campaign's findings and checkpoints to the store as they come: each minimal
/// case's session, then its `fuzz_failures` row with the checkpoint in one transaction,
/// then its regression file.
final class CampaignStoreSink: FuzzCampaignSink {
  private struct State {
    var corpus: RegressionCorpus?
    /// Committed findings by the signature they are tallied under (its text).
    var findings: [String: FuzzCampaignFinding]
    /// The last checkpoint, marked finished.
    var final: FuzzCampaign.Checkpoint?
  }

  let store: EventStore
  let campaign: Int64
  private let options: FuzzOptions
  private let state: Mutex<State>

  init(
    store: EventStore, campaign: Int64, options: FuzzOptions, corpus: RegressionCorpus?,
    restored: [String: FuzzCampaignFinding]
  ) {
    self.store = store
    self.campaign = campaign
    self.options = options
    state = Mutex(State(corpus: corpus, findings: restored, final: nil))
  }

  func found(
    _ group: FuzzCampaign.FailureGroup, tallied: FailureSignature,
    checkpoint: FuzzCampaign.Checkpoint
  ) throws(SessionsError) {
    try state.withLock { state throws(SessionsError) in
      let previous = state.findings[tallied.description]
      var filed = try FuzzWorkflow.file(
        group, options: options, corpus: &state.corpus, ours: previous)
      let session = try ScenarioRunner.store(
        group.minimalRun, scenarioText: filed.text, source: filed.path, into: store)
      let signature = group.failure.signature
      let profile = group.minimal.scenario.host.profile
      var finding = FuzzCampaignFinding(
        shrunkSeed: group.firstSeed, hostProfile: profile.rawValue,
        storedSignature: signature.description, session: session,
        regressionFile: filed.path, corpus: filed.status.rawValue,
        minimalSteps: filed.size.steps, minimalChoices: filed.size.choices,
        minimalDetail: group.minimalFailure.detail,
        secondsToFirst: (group.timeToFirst ?? previous?.secondsToFirst.map { .seconds($0) })
          .map(Self.seconds))
      let record = FuzzFailureRecord(
        hostProfile: profile.rawValue, signature: signature.description,
        property: signature.property.rawValue, count: 1, firstSeed: group.firstSeed,
        detail: group.failure.detail, session: session, regressionFile: filed.path,
        regressionText: filed.fileText)
      do throws(StoreError) {
        let stored = try store.commitFuzzCampaign(
          campaign, checkpoint: Self.stored(checkpoint),
          finding: (tallied.description, finding, record), finished: false)
        finding.session = stored?.session ?? session
      } catch {
        throw .store(error)
      }
      // After the commit: a file on disk always has its row (a kill in between leaves
      // the row, and the campaign's end writes the file it names).
      if filed.write, let path = filed.path {
        try FuzzWorkflow.writeRegression(filed.text, to: path, replacing: filed.replacing)
      }
      filed.write = false
      state.findings[tallied.description] = finding
    }
    options.afterCommit?()
  }

  func checkpoint(_ checkpoint: FuzzCampaign.Checkpoint, finished: Bool) throws(SessionsError) {
    do throws(StoreError) {
      _ = try store.commitFuzzCampaign(
        campaign, checkpoint: Self.stored(checkpoint), finding: nil, finished: finished)
    } catch {
      throw .store(error)
    }
    if finished { state.withLock { $0.final = checkpoint } }
    options.afterCommit?()
  }

  func guestErrorCase(_ found: FuzzCampaign.GuestErrorCase) throws(SessionsError) {
    let session = try FuzzWorkflow.storeGuestErrorCase(
      found.minimal, found.minimalRun, found.rule, origin: .lowestSeed(found.tally.lowestSeed),
      options: options, store: store)
    do throws(StoreError) {
      try store.recordFuzzCampaignGuestErrorCase(
        campaign, rule: found.rule.rawValue, lowestSeed: found.tally.lowestSeed,
        session: session, minimalSteps: found.minimal.stepCount)
    } catch {
      throw .store(error)
    }
    options.afterCommit?()
  }

  /// The campaign's findings once it has finished, by lowest seed; the regression files
  /// this campaign wrote that a kill left unwritten are written now.
  func findings() throws(SessionsError) -> [FuzzFinding] {
    let (final, findings) = state.withLock { ($0.final, $0.findings) }
    guard let final else { return [] }
    var result: [FuzzFinding] = []
    for (signature, tally) in final.tallies.sorted(by: {
      ($0.value.lowestSeed, $0.key) < ($1.value.lowestSeed, $1.key)
    }) {
      guard let finding = findings[signature.description],
        let stored = FailureSignature(text: finding.storedSignature)
      else { continue }
      let corpus = CorpusStatus(rawValue: finding.corpus) ?? .notWritten
      if corpus == .new || corpus == .replaced, let path = finding.regressionFile,
        !FileManager.default.fileExists(atPath: path), let session = finding.session
      {
        let text: String?
        do throws(StoreError) {
          text = try store.session(session).info.scenarioText
        } catch {
          throw .store(error)
        }
        if let text { try FuzzWorkflow.writeRegression(text, to: path, replacing: false) }
      }
      result.append(
        FuzzFinding(
          signature: stored, count: tally.count, firstSeed: tally.lowestSeed,
          detail: finding.minimalDetail, minimal: finding.regressionFile, corpus: corpus,
          session: finding.session, minimalSteps: finding.minimalSteps,
          minimalChoices: finding.minimalChoices,
          timeToFirst: finding.secondsToFirst.map { .milliseconds(Int64(($0 * 1000).rounded())) }))
    }
    return result
  }

  static func stored(_ checkpoint: FuzzCampaign.Checkpoint) -> FuzzCampaignCheckpoint {
    FuzzCampaignCheckpoint(
      seedsDone: checkpoint.seedsDone, guestErrors: checkpoint.guestErrors,
      tallies: Dictionary(
        uniqueKeysWithValues: checkpoint.tallies.map {
          ($0.key.description, ($0.value.count, $0.value.lowestSeed))
        }),
      guestErrorRules: Dictionary(
        uniqueKeysWithValues: checkpoint.guestErrorRules.map {
          ($0.key.rawValue, ($0.value.count, $0.value.lowestSeed))
        }))
  }

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
