import ArgumentParser
import Foundation
import VMBusSessions
import VMBusStore

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a session as a QEMU log or simple trace, JSON Lines, Mermaid or Perfetto.",
    discussion: """
      An imported log exported with the default dialect (original) is byte-identical to the \
      file imported: the lines the import skipped (other trace points, error reports, blank \
      lines) are written back in place; --vmbus-only leaves them out, and so does any other \
      dialect. An excerpt (--from/--to) carries the skipped lines before each of its events, \
      and the last excerpt the lines after the last event, so consecutive excerpts put \
      together are the whole file. Simulator facts are not QEMU trace points and are left out.

      A session imported from a migrated VM's two traces (import --migrated-to) is written \
      as the source's lines then the destination's (sim_migrated left out; if the source's \
      file ended without a newline, one is written between them); --part source or --part \
      destination writes that file alone, byte for byte, and --from/--to pick events within it. \
      In a simulated session with one migration (a run or a fuzz finding), --part source and \
      --part destination write the two hosts' traces, the events before and after \
      sim_migrated: what import --migrated-to takes back.

      Examples:
        vmbus-sim export 1 --format qemu-log --dialect thread -o boot.log
        vmbus-sim export 1 --format simple -o trace-4152
        vmbus-sim export 1 --format mermaid --from 20 --to 60 -o excerpt.md
        vmbus-sim export 1 --format perfetto -o boot.json   # open in ui.perfetto.dev
        vmbus-sim export 2 --format qemu-log --part destination -o destination.log

      mermaid: a sequenceDiagram of the messages (fenced for Markdown when -o ends in .md). \
      perfetto: Chrome trace-event JSON with guest, host, bus, channel and GPADL tracks and \
      request-to-reply flow arrows.
      """)

  @Argument(help: "The session id.") var session: Int64
  @OptionGroup var database: DatabaseOptions
  @Option(help: "qemu-log, simple, jsonl, mermaid or perfetto.") var format: ExportFormatArgument
  @Option(help: "For qemu-log: original, thread, plain or iso8601.")
  var dialect: ExportDialectArgument = ExportDialectArgument(dialect: .original)
  @Flag(help: "For qemu-log: only the vmbus_* events, without the lines the import skipped.")
  var vmbusOnly = false
  @Option(
    name: .short,
    help: ArgumentHelp(
      "Output file (default: standard output; required for simple).", valueName: "file"))
  var output: String?
  @OptionGroup var events: EventRangeOptions
  @Option(
    help: """
      For a migrated VM's import or a simulation with one migration: source or \
      destination, the events of that host's trace (and an import's skipped lines).
      """)
  var part: SessionPartArgument?

  func validate() throws {
    if format.format == .simple, output == nil {
      throw ValidationError("--format simple writes binary: give -o FILE")
    }
  }

  func run() throws {
    try reportingFailures {
      let store = try database.openForReading()
      // Not over what export writes to the terminal.
      let status = output == nil && isatty(1) != 0 ? nil : StatusLine.forTerminal()
      defer { status?.finish() }
      try SessionExporter(store: store, session: SessionID(session))
        .export(
          format.format, dialect: dialect.dialect, vmbusOnly: vmbusOnly, events.range,
          part: part?.part, output: output,
          progress: status.map { line in { line.update("exporting", $0) } })
    }
  }
}

struct ExportFormatArgument: ExpressibleByArgument {
  let format: ExportFormat
  init?(argument: String) {
    guard let format = ExportFormat(rawValue: argument) else { return nil }
    self.format = format
  }
  static let allValueStrings = ExportFormat.allCases.map(\.rawValue)
}

/// `--part source|destination`.
struct SessionPartArgument: ExpressibleByArgument {
  let part: SessionPart
  init?(argument: String) {
    guard let part = SessionPart(rawValue: argument) else { return nil }
    self.part = part
  }
  static let allValueStrings = SessionPart.allCases.map(\.rawValue)
}

struct ExportDialectArgument: ExpressibleByArgument {
  let dialect: ExportDialect
  init(dialect: ExportDialect) { self.dialect = dialect }
  init?(argument: String) {
    guard let dialect = ExportDialect(rawValue: argument) else { return nil }
    self.dialect = dialect
  }
  var defaultValueDescription: String { dialect.rawValue }
  static let allValueStrings = ExportDialect.allCases.map(\.rawValue)
}
