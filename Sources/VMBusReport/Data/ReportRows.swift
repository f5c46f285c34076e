/// The diagram's rows as named columns: row `r` is `kind[r]`, `text[r]`, ... Its events are
/// the next `seqCount[r]` entries of `seqSteps`, each a step from the previous one (the
/// first from 0), so a row's seqs cost a digit or two each.
package struct ReportRows: Codable, Hashable, Sendable {
  /// An index into `rowKinds`.
  package var kind: [Int] = []
  /// The string index of a message's label or a note's text.
  package var text: [Int] = []
  /// The string index of what became of a message (0, the empty string, for a note).
  package var outcome: [Int] = []
  /// An index into `fates` for a message, -1 for a note.
  package var fate: [Int] = []
  /// An index into `noteKinds` for a note, -1 for a message.
  package var noteKind: [Int] = []
  /// The row of the guest request a host message answers, or -1.
  package var replyTo: [Int] = []
  package var seqCount: [Int] = []
  package var seqSteps: [Int] = []

  enum CodingKeys: String, CodingKey {
    case kind, text, outcome, fate
    case noteKind = "note_kind"
    case replyTo = "reply_to"
    case seqCount = "seq_count"
    case seqSteps = "seq_steps"
  }

  /// The number of rows.
  package var count: Int { kind.count }

  /// The seqs of every row, in order.
  package var seqs: [[Int]] {
    var rows: [[Int]] = []
    var next = 0
    for count in seqCount {
      var seq = 0
      rows.append(
        seqSteps[next..<min(next + count, seqSteps.count)].map {
          seq += $0
          return seq
        })
      next += count
    }
    return rows
  }
}

/// What a row of the diagram is.
package enum ReportRowKind: String, Codable, Hashable, Sendable, CaseIterable {
  /// A message the guest posted.
  case guestToHost = "guest_to_host"
  /// A message the host sent.
  case hostToGuest = "host_to_guest"
  /// A note: a machine or device fact, data-plane signals, a host fault, a gap.
  case note
}
