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
      out.failures(failures)
      out.guestErrorRules(guestErrorRules)
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
    return lines + FindingsRender.failureLines(failures, in: target)
      + FindingsRender.guestErrorRuleLines(guestErrorRules, in: target)
  }
}
