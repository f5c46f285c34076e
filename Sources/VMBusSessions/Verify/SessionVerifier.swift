import VMBusHost
import VMBusSim
import VMBusStore

/// A problem `verify` found, at a seq.
package struct VerificationFinding: Sendable {
  package var seq: Int?
  package var rule: String
  package var message: String
}

/// What `verify` found: the events it refolded, the problems, and notes that are not
/// problems (a stored digest it could not compare).
package struct VerificationReport: Sendable {
  package var events: Int
  package var findings: [VerificationFinding]
  package var notes: [String]
}

/// Refolds a stored session and checks every rule; a simulated session is also re-run from
/// its scenario text and seed, and its event stream compared with the stored one.
package struct SessionVerifier {
  package let store: EventStore
  package let session: SessionID

  package init(store: EventStore, session: SessionID) {
    self.store = store
    self.session = session
  }

  package func verify() throws(SessionsError) -> VerificationReport {
    let summary: SessionSummary
    do {
      summary = try store.session(session)
    } catch {
      throw .store(error)
    }
    var findings: [VerificationFinding] = []
    var state = HostState()
    var stored: [HostEvent] = []
    let keepEvents = summary.info.kind == .simulated
    var count = 0
    do {
      try store.events(session: session) { (event: StoredEvent) in
        count += 1
        if keepEvents { stored.append(event.event) }
        for violation in state.apply(event.event) {
          findings.append(
            VerificationFinding(
              seq: event.seq, rule: violation.rule.rawValue,
              message: "\(violation.event): \(violation.message)"))
        }
      }
      for mismatch in try store.verifySnapshots(session: session) {
        findings.append(
          VerificationFinding(seq: mismatch.seq, rule: "snapshot_mismatch", message: "\(mismatch)"))
      }
    } catch {
      throw .store(error)
    }
    if let finding = Self.statusFinding(summary, events: count) {
      // Cut short: its stored events are checked above, but it is not a whole session.
      return VerificationReport(events: count, findings: findings + [finding], notes: [])
    }
    var notes: [String] = []
    if let hash = summary.finalStateHash {
      if summary.stateEncoding == StateEncoding.version {
        if hash != state.digest.hex {
          findings.append(
            VerificationFinding(
              seq: count, rule: "final_state_hash",
              message: "stored \(hash), refolded \(state.digest.hex)"))
        }
      } else {
        // A digest of another encoding says nothing about this build's: not a mismatch.
        notes.append(
          "final_state_hash \(hash) is a digest of state encoding v\(summary.stateEncoding), "
            + "not v\(StateEncoding.version), so it is not compared; the events were refolded "
            + "and checked against every rule"
            + (keepEvents ? ", and the scenario re-run and compared event by event" : ""))
      }
    }
    if keepEvents { findings += rerun(summary, stored: stored) }
    return VerificationReport(events: count, findings: findings, notes: notes)
  }

  /// A session that is not complete (its writer died, or gave up) is not clean, however
  /// clean its stored events.
  private static func statusFinding(_ summary: SessionSummary, events: Int)
    -> VerificationFinding?
  {
    switch summary.status {
    case .complete:
      return nil
    case .inProgress:
      return VerificationFinding(
        seq: nil, rule: "incomplete_session",
        message: "the session is in_progress with \(events) events: its import or run has not "
          + "finished (or was killed)")
    case .failed:
      let reason =
        if case .string(let failure) = summary.info.metadata["failure"] { ": \(failure)" } else {
          ""
        }
      return VerificationFinding(
        seq: nil, rule: "incomplete_session", message: "the session failed\(reason)")
    }
  }

  /// Re-runs a simulated session and reports the first divergence from the stored events.
  private func rerun(_ summary: SessionSummary, stored: [HostEvent]) -> [VerificationFinding] {
    guard let text = summary.info.scenarioText, let seed = summary.info.seed else {
      return [
        VerificationFinding(seq: nil, rule: "rerun", message: "no scenario text or seed stored")
      ]
    }
    let scenario: Scenario
    do {
      scenario = try ScenarioParser.parse(
        text, file: summary.info.source?.file ?? summary.info.name)
    } catch {
      return [
        VerificationFinding(
          seq: nil, rule: "rerun", message: "the stored scenario no longer parses: \(error)")
      ]
    }
    let run = Simulation.reproduce(scenario, seed: seed, transcript: false)
    if let index = zip(run.events, stored).enumerated().first(where: {
      $0.element.0 != $0.element.1
    })?.offset {
      return [
        VerificationFinding(
          seq: index + 1, rule: "determinism",
          message: "re-run gives \(run.events[index].text), stored \(stored[index].text)")
      ]
    }
    if run.events.count != stored.count {
      return [
        VerificationFinding(
          seq: min(run.events.count, stored.count) + 1, rule: "determinism",
          message: "re-run gives \(run.events.count) events, stored \(stored.count)")
      ]
    }
    if case .string(let outcome) = summary.info.metadata["outcome"],
      outcome != run.outcome.kind.rawValue
    {
      return [
        VerificationFinding(
          seq: nil, rule: "determinism", message: "re-run outcome \(run.outcome), stored \(outcome)"
        )
      ]
    }
    return []
  }
}
