import Foundation
import VMBusHost

/// The `snapshots.state` encoding: the state's canonical bytes (`HostState.canonicalBytes`,
/// docs/state-encoding.md), which start with their encoding version.
///
/// Snapshots are a cache of folds: a change of encoding comes with a migration that deletes
/// them (they are rebuilt by folding), never with an edit of old rows. Only a database
/// opened read-only before that migration still holds the JSON snapshots of builds before
/// the canonical encoding (`HostState`'s Codable form, hashed by the old walk); they are
/// read as they were.
struct SnapshotCodec {
  func encode(_ state: HostState) -> Data {
    Data(state.canonicalBytes)
  }

  func decode(_ data: Data) throws -> HostState {
    if Self.isLegacy(data) { return try JSONDecoder().decode(HostState.self, from: data) }
    return try HostState(canonicalBytes: Array(data))
  }

  /// Whether the snapshot is a JSON one of the builds before the canonical encoding, whose
  /// `state_hash` is of the old walk: it starts with `{`, and the canonical bytes start with
  /// their version's low byte (2 or more, never `{` until version 123).
  static func isLegacy(_ data: Data) -> Bool {
    data.first == UInt8(ascii: "{")
  }
}

/// A snapshot at `seq`, encoded, waiting to be written with the events before it.
struct PendingSnapshot {
  var seq: Int
  var state: Data
  var hash: String
}

/// A stored snapshot or final state that disagrees with folding the session's events.
package struct SnapshotMismatch: Hashable, Sendable, CustomStringConvertible {
  /// What disagrees.
  package enum Kind: String, Hashable, Sendable {
    /// `snapshots.state_hash` differs from the digest of the folded state.
    case snapshotHash = "snapshot_hash"
    /// `snapshots.state` does not decode, or decodes to a state other than the folded one.
    case snapshotState = "snapshot_state"
    /// A snapshot sits past the session's last event.
    case snapshotPastEnd = "snapshot_past_end"
    /// `sessions.final_state_hash` differs from the digest after the last event.
    case finalStateHash = "final_state_hash"
  }

  /// What disagrees.
  package var kind: Kind
  /// The position of the snapshot, or the event count for the final hash.
  package var seq: Int
  /// The hash stored in the database.
  package var storedHash: String?
  /// The digest of the state folded from scratch; nil past the last event.
  package var foldedHash: String?

  package init(kind: Kind, seq: Int, storedHash: String?, foldedHash: String?) {
    self.kind = kind
    self.seq = seq
    self.storedHash = storedHash
    self.foldedHash = foldedHash
  }

  package var description: String {
    "seq \(seq): \(kind.rawValue): stored \(storedHash ?? "none"), folded \(foldedHash ?? "none")"
  }
}
