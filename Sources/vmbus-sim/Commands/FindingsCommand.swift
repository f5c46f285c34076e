import ArgumentParser
import VMBusSessions

struct FindingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "findings",
    abstract:
      "List what the database's fuzz campaigns found: each campaign (finished or not), the failures, the guest errors by rule.",
    discussion: """
      Reads only: nothing is run. What a killed campaign committed is listed, with how to
      continue it.

      Example:
        vmbus-sim findings --db shard3.sqlite --json
      """)

  @OptionGroup var database: DatabaseOptions
  @Flag(help: "Print one JSON object.") var json = false

  func run() throws {
    try reportingFailures {
      let findings = try StoredFindings.read(from: try database.openForReading())
      if json {
        var out = JSONBuilder()
        findings.writeJSON(into: &out)
        emit(out.text)
      } else {
        findings.textLines(database: database.path).forEach(emit)
      }
    }
  }
}
