import Foundation
import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// The session facts the page's header shows: where it came from, its outcome, and counts.
struct ReportSummary {
  let summary: SessionSummary
  let diagram: SessionDiagram
  let violations: Int

  /// `session 1 · linux-boot`.
  static func title(_ summary: SessionSummary) -> String {
    "session \(summary.id) · \(summary.info.name)"
  }

  var json: [UInt8] {
    var json = JSONBuilder()
    json.object { json in
      json.field("session", summary.id.rawValue)
      json.field("title", Self.title(summary))
      json.field("name", summary.info.name)
      json.field("kind", summary.info.kind.rawValue)
      json.field("status", summary.status.rawValue)
      json.field("source", summary.info.source?.file)
      json.field("format", summary.info.source?.format)
      json.field("profile", summary.info.hostProfile.rawValue)
      json.field("seed", summary.info.seed)
      json.field("created_at", ISO8601DateFormatter().string(from: summary.info.createdAt))
      json.field("events", summary.eventCount)
      json.field("final_state_hash", summary.finalStateHash)
      json.key("metadata")
      json.object { json in
        for (key, value) in summary.info.metadata.sorted(by: { $0.key < $1.key })
        where key != "choices" {
          json.field(key, value.description)
        }
      }
      json.key("counts")
      json.object { json in
        let messages = diagram.rows.compactMap(\.message)
        json.field("rows", diagram.rows.count)
        json.field("messages", messages.count)
        json.field("guest_to_host", messages.count { $0.direction == .guestToHost })
        json.field("host_to_guest", messages.count { $0.direction == .hostToGuest })
        for fate in MessageFate.allCases {
          json.field(fate.rawValue, messages.count { $0.fate == fate })
        }
        json.field("dropped", messages.count { $0.fate.isDropped })
        json.field("violations", violations)
        json.field("host_faults", diagram.rows.count { $0.note?.kind == .hostFault })
        json.field(
          "channels", diagram.lifelineKeys.count { if case .channel = $0 { true } else { false } })
        json.field(
          "gpadls", diagram.lifelineKeys.count { if case .gpadl = $0 { true } else { false } })
      }
    }
    return json.bytes
  }
}
