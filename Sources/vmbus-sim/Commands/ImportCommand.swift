import ArgumentParser
import VMBusSessions
import VMBusTrace

struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import a QEMU trace (-trace 'vmbus_*', log or simple backend) as a session.",
    discussion: """
      Lines that are not vmbus_* events (other trace points, error_report lines, blank \
      lines) are skipped, counted and kept, so that export writes the file back byte for \
      byte; --strict makes them errors. A malformed trace is \
      reported as FILE:LINE: error: ... (or the byte offset) with exit status 65, and the \
      database is left as it was. Standard input and pipes (-, <(zcat trace.gz)) are \
      copied to a temporary file first, so they are checked whole before anything is stored.

      Example:
        vmbus-sim import qemu.log --name boot-1 --json
        zcat qemu.log.gz | vmbus-sim import - --name boot-2
      """)

  @Argument(help: "The trace file, or - for standard input.") var file: String
  @OptionGroup var database: DatabaseOptions
  @Option(help: "A name for the session (default: the file name).") var name: String?
  @Option(help: "log or simple (default: detected from the file).") var format: TraceFormatArgument?
  @Flag(help: "Treat lines that are not vmbus_* events as errors.") var strict = false
  @Flag(
    help: """
      Skip a last line cut off mid-event, without its newline (QEMU killed while writing), \
      instead of refusing the file.
      """)
  var allowCutOff = false
  @Flag(
    help:
      "Store a log with no vmbus_* event (other trace points only, or empty) as an empty session instead of refusing it."
  )
  var allowNoEvents = false
  @Flag(help: "Print {\"session\": N, \"events\": N, \"skipped\": N}.") var json = false

  func run() throws {
    try reportingFailures {
      var importer = TraceImporter(
        path: file, format: format?.format, strict: strict, name: name)
      importer.allowsCutOffLastLine = allowCutOff
      importer.allowsNoEvents = allowNoEvents
      importer.afterCommit = CommitStop.fromEnvironment()
      let status = StatusLine.forTerminal(json: json)
      importer.progress = status.map { line in { line.update($0) } }
      let summary: ImportSummary
      do {
        defer { status?.finish() }
        summary = try importer.run(openingStore: database.open)
      }
      if json {
        var out = JSONBuilder()
        out.object { out in
          out.field("session", summary.session.rawValue)
          out.field("events", summary.events)
          out.field("skipped", summary.skipped)
        }
        emit(out.text)
      } else {
        let reasons = summary.skippedByReason.map { "\($0.count) \($0.reason)" }
        emit(
          "imported \(file == "-" ? TraceImporter.standardInputName : file) (\(summary.format)) as session \(summary.session): "
            + "\(summary.events) events, \(summary.skipped) skipped"
            + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"))
      }
    }
  }
}

/// `--format log|simple`.
struct TraceFormatArgument: ExpressibleByArgument {
  let format: TraceFormat

  init?(argument: String) {
    switch argument {
    case "log": format = .log
    case "simple": format = .simple
    default: return nil
    }
  }

  static let allValueStrings = ["log", "simple"]
}
