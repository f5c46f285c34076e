import Foundation
import VMBusHost

/// The `snapshots.state` encoding: `HostState`'s Codable form as JSON with sorted keys, so
/// equal states give equal bytes.
///
/// Snapshots are a cache of folds: a change to `HostState`'s Codable shape comes with a
/// migration that deletes them (they are rebuilt by folding), never with an edit of old rows.
struct SnapshotCodec {
  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()
  private let decoder = JSONDecoder()

  func encode(_ state: HostState) throws -> Data {
    try encoder.encode(state)
  }

  func decode(_ data: Data) throws -> HostState {
    try decoder.decode(HostState.self, from: data)
  }
}

/// A snapshot at `seq`, encoded, waiting to be written with the events before it.
struct PendingSnapshot {
  var seq: Int
  var state: Data
  var hash: String
}

/// A stored snapshot or final state that disagrees with folding the session's events.
public struct SnapshotMismatch: Hashable, Sendable, CustomStringConvertible {
  /// What disagrees.
  public enum Kind: String, Hashable, Sendable {
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
  public var kind: Kind
  /// The position of the snapshot, or the event count for the final hash.
  public var seq: Int
  /// The hash stored in the database.
  public var storedHash: String?
  /// The digest of the state folded from scratch; nil past the last event.
  public var foldedHash: String?

  public init(kind: Kind, seq: Int, storedHash: String?, foldedHash: String?) {
    self.kind = kind
    self.seq = seq
    self.storedHash = storedHash
    self.foldedHash = foldedHash
  }

  public var description: String {
    "seq \(seq): \(kind.rawValue): stored \(storedHash ?? "none"), folded \(foldedHash ?? "none")"
  }
}
