import VMBusSim

extension FuzzSummary {
  /// `fuzz --json`: one object with the campaign's figures and every finding.
  package func writeJSON(into out: inout JSONBuilder) {
    out.object { out in
      out.field("runs", runs)
      out.field("resumed_seeds", resumedSeeds)
      out.field("guest_errors", guestErrors)
      out.key("guest_error_rules")
      out.array { out in
        for rule in guestErrorRules { rule.writeJSON(into: &out) }
      }
      out.key("failures")
      out.array { out in
        for finding in findings {
          out.object { out in
            finding.writeCommonFields(into: &out)
            out.field("first_seed", finding.firstSeed)
            out.field("minimal_steps", finding.minimalSteps)
            out.field("minimal_choices", finding.minimalChoices)
            out.optionalSeconds("seconds_to_first", finding.timeToFirst)
            out.field("session", finding.session?.rawValue)
          }
        }
      }
      out.key("runs_per_second")
      out.number((runsPerSecond * 10).rounded() / 10)
      out.field("distinct_states", distinctStates)
      out.key("seconds")
      out.number(Seconds.rounded(elapsed))
      out.key("shrink_seconds")
      out.number(Seconds.rounded(shrinkElapsed))
      out.optionalSeconds("seconds_to_first_failure", timeToFirstFailure)
    }
  }

  /// `fuzz`'s text report: the figures, then each finding with how to reproduce it.
  package var textLines: [String] {
    var lines: [String] = []
    if resumedSeeds > 0 { lines.append("resumed: \(resumedSeeds) seeds were done before this run") }
    let known = findings.filter { $0.corpus == .known }.count
    lines.append(
      "\(runs) runs, \(Int(runsPerSecond)) runs/s, ~\(distinctStates) distinct final states, "
        + "\(findings.count) distinct failures (\(known) known, shrunk in "
        + "\(Seconds.rounded(shrinkElapsed))s), \(guestErrors) guest errors (not failures)")
    for finding in findings {
      lines.append("")
      lines.append(
        "\(finding.signature)  (\(finding.count)×, lowest seed \(finding.firstSeed)"
          + (finding.timeToFirst.map { ", first after \(Seconds.rounded($0))s" } ?? "") + ")")
      lines.append("  \(finding.detail)")
      lines.append(
        "  minimal: \(finding.minimalSteps) steps, \(finding.minimalChoices) choices; session "
          + (finding.session.map { "\($0)" } ?? "-"))
      if let path = finding.minimal {
        switch finding.corpus {
        case .known: lines.append("  known: \(path) (kept)")
        case .replaced: lines.append("  replaced with a smaller case: \(path)")
        case .new, .notWritten: lines.append("  new: \(path)")
        }
        lines.append("  reproduce: vmbus-sim run \(path)")
      }
    }
    if !guestErrorRules.isEmpty {
      lines += [""] + GuestErrorRule.textLines(guestErrorRules, linuxGuest: linuxGuest)
    }
    return lines
  }
}

extension ExploreSummary {
  /// `fuzz --exhaustive --json`.
  package func writeJSON(into out: inout JSONBuilder) {
    out.object { out in
      out.field("states", states)
      out.field("distinct_states", distinctStates)
      out.field("truncated_paths", truncated)
      out.field("covered_states", covered)
      out.field("unreproduced_failures", unreproduced)
      out.field("complete", isComplete)
      out.key("stopped_at_state_limit")
      out.array { out in
        for name in stoppedAtStateLimit { out.string(name) }
      }
      out.key("reached_time_limit")
      out.array { out in
        for name in reachedTimeLimit { out.string(name) }
      }
      out.key("states_per_second")
      out.number(statesPerSecond.rounded())
      out.key("failures")
      out.array { out in
        for finding in findings {
          out.object { out in
            finding.writeCommonFields(into: &out)
            out.field("minimal_steps", finding.minimalSteps)
            out.field("minimal_choices", finding.minimalChoices)
            out.field("explored_choices", finding.exploredChoices)
            out.field("scenario", finding.scenario)
            out.field("session", finding.session?.rawValue)
          }
        }
      }
      out.key("guest_error_rules")
      out.array { out in
        for rule in guestErrorRules { rule.writeJSON(into: &out) }
      }
      out.key("seconds")
      out.number(Seconds.rounded(elapsed))
      out.key("shrink_seconds")
      out.number(Seconds.rounded(shrinkElapsed))
    }
  }

  /// `fuzz --exhaustive`'s text report, for paths explored to `depth` steps.
  package func textLines(depth: Int) -> [String] {
    var lines = [
      "\(states) states, \(distinctStates) distinct, \(covered) covered by calm subtrees, "
        + "\(Int(statesPerSecond)) states/s, \(truncated) paths cut at depth \(depth), "
        + "\(findings.count) distinct failures"
        + (findings.isEmpty ? "" : " (shrunk in \(Seconds.rounded(shrinkElapsed))s)")
    ]
    for finding in findings {
      lines.append(
        "  \(finding.signature)\(finding.scenario.map { " (in \($0))" } ?? ""): \(finding.detail)")
      lines.append(
        "    minimal: \(finding.minimalSteps) steps, \(finding.minimalChoices) choices"
          + (finding.exploredChoices.map { " (explored path: \($0) choices)" } ?? "")
          + "; session " + (finding.session.map { "\($0)" } ?? "-"))
      if let path = finding.minimal {
        if finding.corpus == .known { lines.append("    known: \(path) (kept)") }
        lines.append("    reproduce: vmbus-sim run \(path)")
      }
    }
    for name in stoppedAtStateLimit {
      lines.append(
        "warning: \(name): stopped at the state limit (--max-states) before every schedule up "
          + "to depth \(depth) was explored: what it did not find may still be there")
    }
    for name in reachedTimeLimit {
      lines.append(
        "warning: \(name): a path ran past the scenario's max_time; states reached again "
          + "earlier in virtual time were not explored again, so schedules the limit cut "
          + "short may hold failures it did not find (raise limits.max_time)")
    }
    if !guestErrorRules.isEmpty {
      lines += GuestErrorRule.textLines(guestErrorRules, linuxGuest: linuxGuest)
    }
    if unreproduced > 0 {
      lines.append(
        "warning: \(unreproduced) failures or guest errors seen while exploring did not recur "
          + "when their path was replayed: the explorer and the scheduler disagree (a vmbus-sim "
          + "bug; please report it with the scenario and depth)")
    }
    return lines
  }
}

extension GuestErrorRule {
  /// One object of `guest_error_rules`: a campaign's has `lowest_seed`, an exploration's
  /// `scenario`.
  fileprivate func writeJSON(into out: inout JSONBuilder) {
    out.object { out in
      out.field("rule", rule.rawValue)
      out.field("count", count)
      switch origin {
      case .lowestSeed(let seed): out.field("lowest_seed", seed)
      case .exploration(let scenario): out.field("scenario", scenario)
      }
      out.field("minimal_steps", minimalSteps)
      out.field("session", session?.rawValue)
    }
  }

  /// The text report's list of rules. Under `--guest linux` the guest is unmodified Linux,
  /// so a rule broken is a claim about Linux (or a flaw of its model) worth reading.
  fileprivate static func textLines(_ rules: [GuestErrorRule], linuxGuest: Bool) -> [String] {
    [
      linuxGuest
        ? "guest errors by rule (unmodified Linux broke the protocol, or its model did: not QEMU failures; replay a session to see one):"
        : "guest errors by rule (the guest's fault, not failures; replay a session to see one):"
    ]
      + rules.map { rule in
        let origin =
          switch rule.origin {
          case .lowestSeed(let seed): "lowest seed \(seed)"
          case .exploration(let scenario): "in \(scenario)"
          }
        return "  \(rule.rule)  (\(rule.count)×, \(origin)); minimal: "
          + (rule.minimalSteps.map { "\($0) steps" } ?? "-") + "; session "
          + (rule.session.map { "\($0)" } ?? "-")
      }
  }
}

extension FuzzFinding {
  /// The fields both modes report for a finding: what failed, how often, where it is filed.
  fileprivate func writeCommonFields(into out: inout JSONBuilder) {
    out.field("property", signature.property.rawValue)
    out.key("signature")
    out.signature(signature)
    out.field("count", count)
    out.field("minimal", minimal)
    out.field("corpus", corpus.rawValue)
  }
}

extension FuzzCampaign.Progress {
  /// The status line a terminal shows while the seeds run.
  package var statusLine: String {
    let seconds = Seconds.of(elapsed)
    let rate = seconds > 0 ? Int(Double(runs) / seconds) : 0
    return "\(runs) runs  \(rate)/s  ~\(distinctStates) distinct states  "
      + "\(distinctFailures) distinct failures"
  }
}

extension Explorer.Progress {
  /// The status line a terminal shows while `scenario` is explored to `depth` steps.
  package func statusLine(scenario: String, depth: Int) -> String {
    let seconds = Seconds.of(elapsed)
    let rate = seconds > 0 ? Int(Double(states) / seconds) : 0
    return "\(scenario): \(states) states  \(rate)/s  \(distinctStates) distinct  "
      + "\(truncated) cut at depth \(depth)  \(failures) distinct failures"
  }
}

/// Durations as the reports print them.
enum Seconds {
  static func of(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  /// To the millisecond.
  static func rounded(_ duration: Duration) -> Double {
    (of(duration) * 1000).rounded() / 1000
  }
}

extension JSONBuilder {
  fileprivate mutating func optionalSeconds(_ name: String, _ duration: Duration?) {
    key(name)
    if let duration { number(Seconds.rounded(duration)) } else { null() }
  }
}
