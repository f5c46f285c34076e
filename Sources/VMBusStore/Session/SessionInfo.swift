import Foundation
import VMBusHost

/// A session's row id in the `sessions` table.
package struct SessionID: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible
{
  /// The `sessions.id` value.
  package var rawValue: Int64

  package init(rawValue: Int64) { self.rawValue = rawValue }

  package init(_ rawValue: Int64) { self.rawValue = rawValue }

  package var description: String { "\(rawValue)" }

  package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a session's events came from.
package enum SessionKind: String, CaseIterable, Hashable, Sendable, Codable {
  /// The simulator produced them from a scenario.
  case simulated
  /// A QEMU trace file was parsed into them.
  case imported
}

/// How far a session got. Stored as text in `sessions.status`.
package enum SessionStatus: String, CaseIterable, Hashable, Sendable, Codable {
  /// Begun and not finished: still being written, or its writer died.
  case inProgress = "in_progress"
  /// Every event is stored and `event_count` and `final_state_hash` are final.
  case complete
  /// The writer gave up; the metadata's `failure` says why.
  case failed
}

/// The file an imported session was parsed from.
package struct SessionSource: Hashable, Sendable {
  /// The path as the importer was given it.
  package var file: String
  /// The trace format's name (`log`, `simpletrace`, ...).
  package var format: String

  package init(file: String, format: String) {
    self.file = file
    self.format = format
  }
}

/// What a session is, given when it begins.
package struct SessionInfo: Hashable, Sendable {
  /// A human-readable name.
  package var name: String
  /// Simulated or imported.
  package var kind: SessionKind
  /// The trace file, for an imported session.
  package var source: SessionSource?
  /// The host behaviour modelled.
  package var hostProfile: HostProfile
  /// The scenario's text, for a simulated session.
  package var scenarioText: String?
  /// The scheduler seed, for a simulated session. Stored as its 64-bit pattern.
  package var seed: UInt64?
  /// When the session began; stored as ISO-8601 UTC to whole seconds. A parameter, not the
  /// clock, so that callers can make a session reproducible.
  package var createdAt: Date
  /// Anything else, as a JSON object in `sessions.metadata`.
  package var metadata: SessionMetadata

  package init(
    name: String, kind: SessionKind, source: SessionSource? = nil,
    hostProfile: HostProfile = .qemu, scenarioText: String? = nil, seed: UInt64? = nil,
    createdAt: Date, metadata: SessionMetadata = [:]
  ) {
    self.name = name
    self.kind = kind
    self.source = source
    self.hostProfile = hostProfile
    self.scenarioText = scenarioText
    self.seed = seed
    self.createdAt = createdAt
    self.metadata = metadata
  }
}

/// A stored session as `sessions()` lists it.
package struct SessionSummary: Hashable, Sendable {
  /// The session's id.
  package var id: SessionID
  /// What it was begun with; `metadata` includes what `finish` or `fail` added.
  package var info: SessionInfo
  /// How far it got.
  package var status: SessionStatus
  /// Events stored so far (final once complete).
  package var eventCount: Int
  /// `digest.hex` of the state after the last event; set when complete.
  package var finalStateHash: String?
  /// The ``StateEncoding/version`` of ``finalStateHash``: 1 for sessions stored by builds
  /// before the canonical encoding.
  package var stateEncoding: UInt16

  package init(
    id: SessionID, info: SessionInfo, status: SessionStatus, eventCount: Int,
    finalStateHash: String?, stateEncoding: UInt16 = StateEncoding.version
  ) {
    self.id = id
    self.info = info
    self.status = status
    self.eventCount = eventCount
    self.finalStateHash = finalStateHash
    self.stateEncoding = stateEncoding
  }
}
