import ArgumentParser
import VMBusSessions

struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract:
      "Combine shard databases into --db: sessions and campaigns copied, fuzz failures deduplicated by signature.",
    discussion: """
      Example:
        vmbus-sim merge shard0.sqlite shard1.sqlite --db campaign.sqlite
      """)

  @Argument(help: "The databases to merge in.") var sources: [String]
  @OptionGroup var database: DatabaseOptions
  @Flag(help: "Print one JSON summary.") var json = false

  func run() throws {
    try reportingFailures {
      let summary = try MergeWorkflow.merge(sources, into: try database.open())
      if json {
        var out = JSONBuilder()
        summary.writeJSON(into: &out)
        emit(out.text)
      } else {
        summary.textLines(sources: sources.count, target: database.path).forEach(emit)
      }
    }
  }
}
