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

      A live-migrated VM leaves two traces, the source QEMU's and the destination's: \
      --migrated-to DST imports them as one session, FILE's events, then sim_migrated \
      (carrying the digest of what the source's fold saves), then DST's events, which fold \
      through the destination's load. Each file may be a log in any dialect or a simple \
      trace, its format detected; --strict, --allow-cut-off and --allow-no-events apply to \
      each; both are checked whole first, and a bad line in either stores nothing (a \
      missing one exits 66). export --part source|destination writes either file back.

      Example:
        vmbus-sim import qemu.log --name boot-1 --json
        zcat qemu.log.gz | vmbus-sim import - --name boot-2
        vmbus-sim import source.log --migrated-to destination.log
      """)

  @Argument(help: "The trace file, or - for standard input.") var file: String
  @Option(
    help: ArgumentHelp(
      "The destination QEMU's trace of a live migration whose source traced FILE (- for standard input).",
      valueName: "dst"))
  var migratedTo: String?
  @OptionGroup var database: DatabaseOptions
  @Option(help: "A name for the session (default: the file name).") var name: String?
  @Option(
    help:
      "log or simple (default: detected from the file); not with --migrated-to, which detects each file's."
  )
  var format: TraceFormatArgument?
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
  @Flag(
    help: """
      Print {"session": N, "events": N, "skipped": N}: the session's events and both \
      files' skipped lines; with --migrated-to also "destination": {"file", "events", \
      "skipped"}.
      """)
  var json = false

  func validate() throws {
    guard let migratedTo else { return }
    if format != nil {
      throw ValidationError(
        "--format forces one file's format; with --migrated-to each file's is detected")
    }
    if let problem = TraceImporter.pairingProblem(source: file, destination: migratedTo) {
      throw ValidationError(problem)
    }
  }

  func run() throws {
    try reportingFailures {
      var importer = TraceImporter(
        path: file, format: format?.format, strict: strict, name: name)
      importer.destinationPath = migratedTo
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
          out.field("events", summary.sessionEvents)
          out.field("skipped", summary.skipped + (summary.destination?.skipped ?? 0))
          if let destination = summary.destination {
            out.key("destination")
            out.object { out in
              out.field("file", destination.name)
              out.field("events", destination.events)
              out.field("skipped", destination.skipped)
            }
          }
        }
        emit(out.text)
      } else {
        var line =
          "imported \(TraceImporter.displayName(file)) (\(summary.format)) as session \(summary.session): "
          + Self.counts(summary.events, summary.skipped, summary.skippedByReason)
        if let destination = summary.destination {
          line +=
            "; migrated to \(destination.name) (\(destination.format)): "
            + Self.counts(destination.events, destination.skipped, destination.skippedByReason)
        }
        emit(line)
      }
    }
  }
}

extension ImportCommand {
  /// `12 events, 3 skipped (2 other trace points, 1 blank)`.
  static func counts(
    _ events: Int, _ skipped: Int, _ reasons: [(reason: String, count: Int)]
  ) -> String {
    let reasons = reasons.map { "\($0.count) \($0.reason)" }
    return "\(events) events, \(skipped) skipped"
      + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")
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
