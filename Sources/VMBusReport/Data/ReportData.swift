import Foundation
import VMBusSessions

/// Everything the report page's script draws and checks, with named fields. Texts are
/// interned: a field documented as a *string index* holds an index into `strings`, and a
/// *list index* an index into `lists` (a list of string indices), so a repeated line costs a
/// few digits. Per-row and per-event data are columns (`rows.kind[r]`, `events.text[i]`):
/// one named array per field keeps a long session's page small.
package struct ReportData: Codable, Hashable, Sendable {
  /// The layout's version; the script refuses any other.
  package static let currentVersion = 2

  package var version = Self.currentVersion
  /// The session's facts and counts for the header.
  package var summary: ReportSummary
  /// The first and last event the page covers (an excerpt's `--from`/`--to`).
  package var firstSeq: Int
  package var lastSeq: Int
  /// Whether `events.timeStep` holds nanoseconds (`ns`) or nothing (`none`).
  package var clock: ReportClock
  /// The host state's top-level field names, in `replay --json` order.
  package var stateFields: [String]
  /// The state before `firstSeq`.
  package var initialState: ReportState
  /// Names for `rows.kind`, `rows.fate`, `rows.noteKind` and `deltas.operation`.
  package var rowKinds: [ReportRowKind]
  package var fates: [String]
  package var noteKinds: [String]
  package var deltaOperations: [ReportDeltaOperation]
  /// The diagram's rows, one per message or note.
  package var rows: ReportRows
  /// The lifeline columns drawn, and how many more were alive at once than the page draws.
  package var lifelines: [ReportLifeline]
  package var hiddenLifelines: Int
  /// The state text `replay --json` prints at some steps, for the page's self-test.
  package var checks: [ReportCheck]
  /// Lists of string indices (an event's changes or violations).
  package var lists: [[Int]]
  /// What each step changes in the state, as operations on its pieces.
  package var deltas: ReportDeltas
  /// One entry per event from `firstSeq`.
  package var events: ReportEvents
  /// The interned texts.
  package var strings: [String]

  enum CodingKeys: String, CodingKey {
    case version, summary, clock, rows, lifelines, checks, lists, deltas, events, strings
    case firstSeq = "first_seq"
    case lastSeq = "last_seq"
    case stateFields = "state_fields"
    case initialState = "initial_state"
    case rowKinds = "row_kinds"
    case fates
    case noteKinds = "note_kinds"
    case deltaOperations = "delta_operations"
    case hiddenLifelines = "hidden_lifelines"
  }

  /// The JSON text the page embeds: keys sorted, so the same session always gives the same
  /// bytes, and every `<` written `\u003c`, so no `</script>` can end the element early.
  package func scriptSafeJSON() throws(SessionsError) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return Self.scriptSafe(Array(try encoder.encode(self)))
    } catch {
      // Integers and strings only: JSONEncoder fails on non-finite floats, which never occur.
      throw .io("cannot encode the report data: \(error)")
    }
  }

  /// Decodes what `scriptSafeJSON` wrote.
  package static func decoding(_ json: [UInt8]) throws -> ReportData {
    try JSONDecoder().decode(ReportData.self, from: Data(json))
  }

  static func scriptSafe(_ json: [UInt8]) -> [UInt8] {
    guard json.contains(UInt8(ascii: "<")) else { return json }
    var out: [UInt8] = []
    out.reserveCapacity(json.count + 64)
    for byte in json {
      if byte == UInt8(ascii: "<") {
        out += Array(#"\u003c"#.utf8)
      } else {
        out.append(byte)
      }
    }
    return out
  }
}

/// What `events.timeStep` measures.
package enum ReportClock: String, Codable, Hashable, Sendable {
  /// Nanoseconds since the previous event (the first: since itself, 0).
  case ns
  /// The session has no timestamps (a plain-dialect log); every step is 0.
  case none
}

/// The state at one point as the page keeps it: string indices of the JSON text of each
/// piece, which put together give `replay --json`'s text byte for byte.
package struct ReportState: Codable, Hashable, Sendable {
  /// Each top-level field's text, in `stateFields` order.
  package var fields: [Int]
  /// Each channel's text, by relid, ascending.
  package var channels: [ReportStateObject]
  /// Each GPADL's text, by id, ascending.
  package var gpadls: [ReportStateObject]
}

/// A channel or GPADL in `ReportState`.
package struct ReportStateObject: Codable, Hashable, Sendable {
  /// The relid or GPADL id.
  package var id: Int
  /// The string index of its JSON text.
  package var text: Int
}

/// A state text `replay --json` printed, for the self-test to compare with what it shows.
package struct ReportCheck: Codable, Hashable, Sendable {
  package var seq: Int
  /// The state after `seq`, as `replay --json` prints it.
  package var state: String
  /// The list index of the changes `replay` lists for the step.
  package var changes: Int
}
