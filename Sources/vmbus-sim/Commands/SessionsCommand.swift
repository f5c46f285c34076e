import ArgumentParser
import Foundation
import VMBusSessions
import VMBusStore

struct SessionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sessions",
    abstract: "List the stored sessions, one line (or JSON object) each.",
    discussion: """
      Example:
        vmbus-sim sessions --json
      """)

  @OptionGroup var database: DatabaseOptions
  @Flag(help: "One JSON object per line.") var json = false

  func run() throws {
    try reportingFailures {
      let store = try database.openForReading()
      let sessions: [SessionSummary]
      do throws(StoreError) {
        sessions = try store.sessions()
      } catch {
        throw SessionsError.store(error)
      }
      if !json && !sessions.isEmpty {
        emit("   ID  STATUS       KIND       EVENTS  NAME / SOURCE")
      }
      for session in sessions {
        if json {
          var out = JSONBuilder()
          out.object { out in
            out.field("session", session.id.rawValue)
            out.field("name", session.info.name)
            out.field("kind", session.info.kind.rawValue)
            out.field("status", session.status.rawValue)
            out.field("events", session.eventCount)
            out.field("source", session.info.source?.file)
            out.field("format", session.info.source?.format)
            out.field("profile", session.info.hostProfile.rawValue)
            out.field("seed", session.info.seed)
            out.field("final_state_hash", session.finalStateHash)
            out.field("state_encoding", Int(session.stateEncoding))
            out.field("created_at", ISO8601DateFormatter().string(from: session.info.createdAt))
            if case .string(let outcome) = session.info.metadata["outcome"] {
              out.field("outcome", outcome)
            }
          }
          emit(out.text)
        } else {
          var detail = session.info.source?.file ?? ""
          if let seed = session.info.seed { detail += " seed \(seed)" }
          if case .string(let outcome) = session.info.metadata["outcome"] {
            detail += " → \(outcome)"
          }
          emit(
            "\(session.id.rawValue)".leftPadded(5) + "  " + session.status.rawValue.padded(11)
              + "  "
              + session.info.kind.rawValue.padded(9) + "  " + "\(session.eventCount)".leftPadded(6)
              + "  \(session.info.name)  \(detail)")
        }
      }
    }
  }
}

extension String {
  func padded(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
