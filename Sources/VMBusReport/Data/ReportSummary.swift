import Foundation
import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// The session facts the page's header shows: where it came from, its outcome, and counts.
package struct ReportSummary: Codable, Hashable, Sendable {
  package var session: Int64
  /// `session 1 · linux-boot`.
  package var title: String
  package var name: String
  package var kind: String
  package var status: String
  /// The imported file and its format (absent for a simulation).
  package var source: String?
  package var format: String?
  package var profile: String
  package var seed: UInt64?
  /// ISO 8601.
  package var createdAt: String
  package var events: Int
  package var finalStateHash: String?
  /// Every metadata field but the scheduler's choices, as text (keys sorted when encoded).
  package var metadata: [String: String]
  package var counts: ReportCounts

  enum CodingKeys: String, CodingKey {
    case session, title, name, kind, status, source, format, profile, seed, events, metadata
    case counts
    case createdAt = "created_at"
    case finalStateHash = "final_state_hash"
  }

  /// `session 1 · linux-boot`.
  static func title(_ summary: SessionSummary) -> String {
    "session \(summary.id) · \(summary.info.name)"
  }

  init(summary: SessionSummary, diagram: SessionDiagram, violations: Int) {
    session = summary.id.rawValue
    title = Self.title(summary)
    name = summary.info.name
    kind = summary.info.kind.rawValue
    status = summary.status.rawValue
    source = summary.info.source?.file
    format = summary.info.source?.format
    profile = summary.info.hostProfile.rawValue
    seed = summary.info.seed
    createdAt = ISO8601DateFormatter().string(from: summary.info.createdAt)
    events = summary.eventCount
    finalStateHash = summary.finalStateHash
    var metadata: [String: String] = [:]
    for (key, value) in summary.info.metadata where key != "choices" {
      metadata[key] = value.description
    }
    self.metadata = metadata
    counts = ReportCounts(diagram: diagram, violations: violations)
  }
}

/// The header's counts.
package struct ReportCounts: Codable, Hashable, Sendable {
  package var rows: Int
  package var messages: Int
  package var guestToHost: Int
  package var hostToGuest: Int
  /// Messages by what became of them, keyed by `MessageFate`'s raw value.
  package var fates: [String: Int]
  /// Messages ignored, flushed or rejected.
  package var dropped: Int
  package var violations: Int
  package var hostFaults: Int
  package var channels: Int
  package var gpadls: Int

  enum CodingKeys: String, CodingKey {
    case rows, messages, fates, dropped, violations, channels, gpadls
    case guestToHost = "guest_to_host"
    case hostToGuest = "host_to_guest"
    case hostFaults = "host_faults"
  }

  init(diagram: SessionDiagram, violations: Int) {
    let messages = diagram.rows.compactMap(\.message)
    rows = diagram.rows.count
    self.messages = messages.count
    guestToHost = messages.count { $0.direction == .guestToHost }
    hostToGuest = messages.count { $0.direction == .hostToGuest }
    var fates: [String: Int] = [:]
    for fate in MessageFate.allCases { fates[fate.rawValue] = messages.count { $0.fate == fate } }
    self.fates = fates
    dropped = messages.count { $0.fate.isDropped }
    self.violations = violations
    hostFaults = diagram.rows.count { $0.note?.kind == .hostFault }
    channels = diagram.lifelineKeys.count { if case .channel = $0 { true } else { false } }
    gpadls = diagram.lifelineKeys.count { if case .gpadl = $0 { true } else { false } }
  }
}
