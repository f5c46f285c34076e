import VMBusStore

/// How a session imported from a live-migrated VM's two traces (the source QEMU's, then the
/// destination's) is laid out: the source's events, one `sim_migrated`, the destination's
/// events; and the metadata keys that record it (docs/store.md).
///
/// The destination file's own facts are its metadata under the `destination:` prefix
/// (`destination:lines`, `destination:final_newline`, `destination:pid`, ...), beside the
/// source's unprefixed ones, plus where it came from and where its events begin.
package struct MigratedSession: Hashable, Sendable {
  /// The prefix of every destination key.
  static let prefix = "destination:"
  /// The destination's file, as the importer was given it.
  static let fileKey = "destination:file"
  /// Its format: `log` or `simple`, as `sessions.source_format` has the source's.
  static let formatKey = "destination:format"
  /// The seq of its first event: one past `sim_migrated`'s.
  static let firstSeqKey = "destination:first_seq"

  /// The destination's version of a key the source has.
  static func destinationKey(_ key: String) -> String { prefix + key }

  /// The seq of `sim_migrated`.
  package var migratedSeq: Int
  /// The source's events, before the migration.
  package var source: LogPart
  /// The destination's events, after it; empty when its trace had none.
  package var destination: LogPart
  /// The destination's trace file.
  package var destinationFile: String
  private var metadata: SessionMetadata

  /// The layout of `summary`, read from the store at `path`, or nil when it is not a migrated
  /// VM's import.
  package init?(_ summary: SessionSummary, path: String) throws(SessionsError) {
    let metadata = summary.info.metadata
    guard let value = metadata[Self.firstSeqKey] else { return nil }
    let eventCount = summary.eventCount
    // A complete session has every event; one still in progress may lack the destination's.
    guard case .integer(let first) = value, first >= 2,
      summary.status != .complete || first <= eventCount + 1
    else {
      throw .store(
        .corruptSession(
          path: path, session: summary.id,
          reason: "\(Self.firstSeqKey) is \(value), not a seq after sim_migrated"))
    }
    migratedSeq = Int(first) - 1
    source = LogPart(.source, seqs: 1..<migratedSeq)
    destination = LogPart(.destination, seqs: Int(first)..<max(Int(first), eventCount + 1))
    destinationFile = metadata[Self.fileKey]?.description ?? ""
    self.metadata = metadata
  }

  /// The layout of a session that is not a migrated VM's import but holds one `sim_migrated`
  /// at `seq` (a simulation): the events before it are the source host's, those after it
  /// the destination's, each written as a log of its own.
  package init(migratedAt seq: Int, eventCount: Int) {
    migratedSeq = seq
    source = LogPart(.source, seqs: 1..<seq)
    destination = LogPart(.destination, seqs: (seq + 1)..<max(seq + 1, eventCount + 1))
    destinationFile = ""
    metadata = [:]
  }

  /// The events of `part`.
  package func events(of part: SessionPart) -> LogPart {
    switch part {
    case .source: source
    case .destination: destination
    }
  }

  /// Whether `part`'s file ended without a newline.
  package func endsWithoutNewline(_ part: SessionPart) -> Bool {
    let key = part == .source ? "final_newline" : Self.destinationKey("final_newline")
    return metadata[key] == .bool(false)
  }
}
