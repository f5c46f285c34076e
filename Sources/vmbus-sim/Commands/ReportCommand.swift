import ArgumentParser
import VMBusReport
import VMBusSessions
import VMBusStore

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a session as one self-contained HTML page to look at.",
    discussion: """
      The page has a sequence diagram (guest on the left, host on the right, one arrow per \
      VMBus message with the host's trace events beside it; busy retries, dropped messages, \
      violations and host faults in colour), a lifeline per channel and GPADL, a step \
      slider and keyboard stepping that show the full host state at any event (as `replay` \
      does) and what it changed, and the session's summary. It needs no network: the data, \
      script and style are inline. Open it with #seq=N to start at event N.

      Examples:
        vmbus-sim report 1 -o boot.html
        vmbus-sim report 3 --from 1000 --to 2000 -o excerpt.html
      """)

  @Argument(help: "The session id (see `vmbus-sim sessions`).") var session: Int64
  @OptionGroup var database: DatabaseOptions
  @Option(
    name: .short, help: ArgumentHelp("Output file (default: session-ID.html).", valueName: "file"))
  var output: String?
  @OptionGroup var events: EventRangeOptions

  func run() throws {
    try reportingFailures {
      let store = try database.openForReading()
      let path = output ?? "session-\(session).html"
      let status = StatusLine.forTerminal()
      let written: SessionReport.Written
      do {
        defer { status?.finish() }
        written = try SessionReport(store: store, session: SessionID(session))
          .write(
            to: path, events: events.range,
            progress: status.map { line in
              { line.update("reading", $0) }
            })
      }
      emit(
        "\(path): \(written.events) events, \(written.messages) messages, "
          + "\(written.bytes / 1024) KiB")
    }
  }
}
