import VMBusSim
import VMBusStore

extension MergeSummary {
  /// `merge --json`: what was copied, then what the merged database holds: its failures
  /// and its campaigns' guest errors by rule, as one campaign over all their seeds reports
  /// them.
  package func writeJSON(into out: inout JSONBuilder) {
    out.object { out in
      out.field("sessions_copied", sessionsCopied)
      out.field("failures_added", failuresAdded)
      out.field("failures_merged", failuresMerged)
      out.field("campaigns_copied", campaignsCopied)
      out.field("skipped_in_progress", skippedInProgress)
      out.key("unfinished_campaigns")
      out.array { out in
        for campaign in unfinishedCampaigns {
          out.object { out in
            out.field("database", campaign.database)
            out.field("campaign", campaign.campaign)
            out.field("seeds_done", campaign.seedsDone)
          }
        }
      }
      out.key("failures")
      out.array { out in
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
      out.key("guest_error_rules")
      out.array { out in
        for rule in guestErrorRules {
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

  /// `merge`'s text report: what was copied into `target`, then the merged findings.
  package func textLines(sources: Int, target: String) -> [String] {
    var lines = [
      "merged \(sources) databases into \(target): \(sessionsCopied) sessions copied, "
        + "\(failuresAdded) new failures, \(failuresMerged) merged into existing ones, "
        + "\(campaignsCopied) campaigns copied"
        + (skippedInProgress > 0 ? ", \(skippedInProgress) in-progress sessions skipped" : "")
    ]
    for campaign in unfinishedCampaigns {
      lines.append(
        "warning: \(campaign.database): campaign \(campaign.campaign) had not finished "
          + "(\(campaign.seedsDone) seeds done): its counts stop there; finish it with the "
          + "shard's fuzz command plus --resume, on this merged database or on the shard's "
          + "(then merge again into a new one)")
    }
    if !failures.isEmpty {
      lines.append("failures in \(target):")
      for failure in failures {
        let origin =
          failure.exploredDepth.map { "explored to depth \($0)" }
          ?? "lowest seed \(failure.firstSeed)"
        lines.append(
          "  \(failure.signature)  (\(failure.count)×, \(origin), \(failure.hostProfile)); session "
            + (failure.session.map { "\($0)" } ?? "-"))
      }
    }
    if !guestErrorRules.isEmpty {
      lines.append("guest errors by rule, over every campaign in \(target) (not failures):")
      for rule in guestErrorRules {
        lines.append(
          "  \(rule.rule)  (\(rule.count)×, lowest seed \(rule.lowestSeed)); minimal: "
            + (rule.minimalSteps.map { "\($0) steps" } ?? "-") + "; session "
            + (rule.session.map { "\($0)" } ?? "-"))
      }
    }
    return lines
  }
}
