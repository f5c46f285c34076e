import Foundation
import VMBusHost

/// A session's row id in the `sessions` table.
public struct SessionID: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible
{
  /// The `sessions.id` value.
  public var rawValue: Int64

  public init(rawValue: Int64) { self.rawValue = rawValue }

  public init(_ rawValue: Int64) { self.rawValue = rawValue }

  public var description: String { "\(rawValue)" }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a session's events came from.
public enum SessionKind: String, CaseIterable, Hashable, Sendable, Codable {
  /// The simulator produced them from a scenario.
  case simulated
  /// A QEMU trace file was parsed into them.
  case imported
}

/// How far a session got. Stored as text in `sessions.status`.
public enum SessionStatus: String, CaseIterable, Hashable, Sendable, Codable {
  /// Begun and not finished: still being written, or its writer died.
  case inProgress = "in_progress"
  /// Every event is stored and `event_count` and `final_state_hash` are final.
  case complete
  /// The writer gave up; the metadata's `failure` says why.
  case failed
}

/// The file an imported session was parsed from.
public struct SessionSource: Hashable, Sendable {
  /// The path as the importer was given it.
  public var file: String
  /// The trace format's name (`log`, `simpletrace`, ...).
  public var format: String

  public init(file: String, format: String) {
    self.file = file
    self.format = format
  }
}

/// What a session is, given when it begins.
public struct SessionInfo: Hashable, Sendable {
  /// A human-readable name.
  public var name: String
  /// Simulated or imported.
  public var kind: SessionKind
  /// The trace file, for an imported session.
  public var source: SessionSource?
  /// The host behaviour modelled.
  public var hostProfile: HostProfile
  /// The scenario's text, for a simulated session.
  public var scenarioText: String?
  /// The scheduler seed, for a simulated session. Stored as its 64-bit pattern.
  public var seed: UInt64?
  /// When the session began; stored as ISO-8601 UTC to whole seconds. A parameter, not the
  /// clock, so that callers can make a session reproducible.
  public var createdAt: Date
  /// Anything else, as a JSON object in `sessions.metadata`.
  public var metadata: SessionMetadata

  public init(
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
public struct SessionSummary: Hashable, Sendable {
  /// The session's id.
  public var id: SessionID
  /// What it was begun with; `metadata` includes what `finish` or `fail` added.
  public var info: SessionInfo
  /// How far it got.
  public var status: SessionStatus
  /// Events stored so far (final once complete).
  public var eventCount: Int
  /// `digest.hex` of the state after the last event; set when complete.
  public var finalStateHash: String?
  /// The ``StateEncoding/version`` of ``finalStateHash``: 1 for sessions stored by builds
  /// before the canonical encoding.
  public var stateEncoding: UInt16

  public init(
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
