import VMBusSim
import VMBusStore

/// The lines and JSON shared by `findings` and `merge`: a database's failures and its
/// campaigns' guest errors by rule.
enum FindingsRender {
  /// `failures in PATH:` and one line per failure; nothing when there is none.
  static func failureLines(_ failures: [FuzzFailureRecord], in path: String) -> [String] {
    guard !failures.isEmpty else { return [] }
    return ["failures in \(path):"]
      + failures.map { failure in
        let origin =
          failure.exploredDepth.map { "explored to depth \($0)" }
          ?? "lowest seed \(failure.firstSeed)"
        return "  \(failure.signature)  (\(failure.count)×, \(origin), \(failure.hostProfile)); "
          + "session " + (failure.session.map { "\($0)" } ?? "-")
      }
  }

  /// `guest errors by rule, ...` and one line per rule; nothing when there is none.
  static func guestErrorRuleLines(_ rules: [FuzzCampaignGuestErrorRule], in path: String)
    -> [String]
  {
    guard !rules.isEmpty else { return [] }
    return ["guest errors by rule, over every campaign in \(path) (not failures):"]
      + rules.map { rule in
        "  \(rule.rule)  (\(rule.count)×, lowest seed \(rule.lowestSeed)); minimal: "
          + (rule.minimalSteps.map { "\($0) steps" } ?? "-") + "; session "
          + (rule.session.map { "\($0)" } ?? "-")
      }
  }
}

extension JSONBuilder {
  /// `"failures": [...]`, each with `fuzz --json`'s signature object.
  mutating func failures(_ failures: [FuzzFailureRecord]) {
    key("failures")
    array { out in
      for failure in failures {
        out.object { out in
          out.field("host_profile", failure.hostProfile)
          out.field("property", failure.property)
          // The same object as `fuzz --json`'s, from the stored text.
          out.key("signature")
          if let signature = FailureSignature(text: failure.signature) {
            out.signature(signature)
          } else {
            out.object { $0.field("text", failure.signature) }
          }
          out.field("count", failure.count)
          out.field("first_seed", failure.firstSeed)
          out.field("explored_depth", failure.exploredDepth)
          out.field("session", failure.session?.rawValue)
        }
      }
    }
  }

  /// `"guest_error_rules": [...]`.
  mutating func guestErrorRules(_ rules: [FuzzCampaignGuestErrorRule]) {
    key("guest_error_rules")
    array { out in
      for rule in rules {
        out.object { out in
          out.field("rule", rule.rule)
          out.field("count", rule.count)
          out.field("lowest_seed", rule.lowestSeed)
          out.field("minimal_steps", rule.minimalSteps)
          out.field("session", rule.session?.rawValue)
        }
      }
    }
  }
}

extension StoredFindings {
  /// `findings --json`: the campaigns, then the failures and guest errors as `merge --json`
  /// lists them.
  package func writeJSON(into out: inout JSONBuilder) {
    out.object { out in
      out.key("campaigns")
      out.array { out in
        for campaign in campaigns {
          out.object { out in
            out.field("campaign", campaign.record.id)
            out.field("status", campaign.record.finished ? "finished" : "running")
            out.field("seeds_done", campaign.record.seedsDone)
            out.field("guest_errors", campaign.record.guestErrors)
            out.key("scenarios")
            out.array { out in for scenario in campaign.scenarios { out.string(scenario) } }
            out.key("options")
            out.array { out in for option in campaign.options { out.string(option) } }
            out.field("build", campaign.build)
          }
        }
      }
      out.failures(failures)
      out.guestErrorRules(guestErrorRules)
    }
  }

  /// `findings`: one line per campaign (a running one says how to finish it), then the
  /// failures and the guest errors by rule.
  package func textLines(database path: String) -> [String] {
    guard !campaigns.isEmpty || !failures.isEmpty else {
      return ["\(path): no fuzz campaign and no failure stored"]
    }
    var lines = campaigns.isEmpty ? [] : ["campaigns in \(path):"]
    for campaign in campaigns {
      let record = campaign.record
      let scenarios =
        campaign.scenarios.count == 1
        ? campaign.scenarios[0] : "\(campaign.scenarios.count) scenarios"
      lines.append(
        "  \(record.id)  \(record.finished ? "finished" : "running ")  \(scenarios) "
          + campaign.options.joined(separator: " ")
          + "  (\(record.seedsDone) seeds done, \(record.guestErrors) guest errors)")
      if !record.finished {
        lines.append(
          "     not finished (killed?): its counts stop at its watermark; the same fuzz command "
            + "plus --resume --db \(path) continues it"
            + (campaign.resumableByThisBuild
              ? ""
              : ", run by the build that began it ("
                + (campaign.build.map { "build ID \($0)" } ?? "one that recorded no build ID")
                + ")"))
      }
    }
    return lines + FindingsRender.failureLines(failures, in: path)
      + FindingsRender.guestErrorRuleLines(guestErrorRules, in: path)
  }
}
