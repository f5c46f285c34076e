import ArgumentParser
import VMBusSessions

struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Combine shard databases into --db, deduplicating fuzz failures by signature.",
    discussion: """
      Example:
        vmbus-sim merge shard0.sqlite shard1.sqlite --db campaign.sqlite
      """)

  @Argument(help: "The databases to merge in.") var sources: [String]
  @OptionGroup var database: DatabaseOptions

  func run() throws {
    try reportingFailures {
      let summary = try MergeWorkflow.merge(sources, into: try database.open())
      emit(
        "merged \(sources.count) databases into \(database.path): \(summary.sessionsCopied) sessions copied, "
          + "\(summary.failuresAdded) new failures, \(summary.failuresMerged) merged into existing ones"
          + (summary.skippedInProgress > 0
            ? ", \(summary.skippedInProgress) in-progress sessions skipped" : ""))
    }
  }
}
