import ArgumentParser
import VMBusSessions
import VMBusStore

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Refold a session and check every rule; re-run a simulated one and compare.",
    discussion: """
      Exit status 0 when clean, 1 when there are violations (a session whose import or run \
      did not finish is never clean).

      Example:
        vmbus-sim verify 3 --json
      """)

  @Argument(help: "The session id.") var session: Int64
  @OptionGroup var database: DatabaseOptions
  @Flag(
    help: "Print {\"session\": N, \"events\": N, \"violations\": [...]}, and \"notes\" when any.")
  var json = false

  func run() throws {
    var clean = true
    try reportingFailures {
      let store = try database.openForReading()
      let report = try SessionVerifier(store: store, session: SessionID(session)).verify()
      let (events, findings) = (report.events, report.findings)
      clean = findings.isEmpty
      if json {
        var out = JSONBuilder()
        out.object { out in
          out.field("session", session)
          out.field("events", events)
          out.key("violations")
          out.array { out in
            for finding in findings {
              out.object { out in
                out.field("seq", finding.seq)
                out.field("rule", finding.rule)
                out.field("message", finding.message)
              }
            }
          }
          // Only when there are some: the shape stays as it was for every current session.
          if !report.notes.isEmpty {
            out.key("notes")
            out.array { out in
              for note in report.notes { out.string(note) }
            }
          }
        }
        emit(out.text)
      } else {
        for note in report.notes { emit("note: \(note)") }
        for finding in findings {
          emit("seq \(finding.seq.map(String.init) ?? "-"): \(finding.rule): \(finding.message)")
        }
        emit(
          "session \(session): \(events) events, \(findings.count) violation\(findings.count == 1 ? "" : "s")"
        )
      }
    }
    if !clean { throw ExitCode(1) }
  }
}
