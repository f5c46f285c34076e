import VMBusStore

/// Which events of a session a command covers: `first` through `last`, both 1-based seqs.
/// A `last` past the end means the end; a `first` past it is an error naming the seqs the
/// session has.
package struct EventRange: Hashable, Sendable {
  package var first: Int
  /// Nil: through the last event.
  package var last: Int?

  package init(first: Int = 1, last: Int? = nil) {
    self.first = first
    self.last = last
  }

  /// One event.
  package static func only(_ seq: Int) -> Self { Self(first: seq, last: seq) }

  /// The whole session.
  package static let all = Self()

  /// The seqs to visit in a session of `eventCount` events. On an empty session a range
  /// starting at 1 gives `1...1`, which visits nothing: a whole-session command then does
  /// nothing rather than fail.
  package func seqs(in session: SessionID, eventCount: Int) throws(SessionsError)
    -> ClosedRange<Int>
  {
    guard first >= 1 else { throw .usage("event seqs start at 1; \(first) is none") }
    if let last {
      guard last >= 1 else { throw .usage("event seqs start at 1; \(last) is none") }
      guard last >= first else {
        throw .usage("the range \(first)...\(last) ends before it starts")
      }
    }
    guard first <= max(eventCount, 1) else {
      throw .usage(Self.noEvent(first, in: session, eventCount: eventCount))
    }
    return first...max(min(last ?? .max, eventCount), first)
  }

  /// Why a session has no event `seq`, with the seqs it has.
  static func noEvent(_ seq: Int, in session: SessionID, eventCount: Int) -> String {
    "session \(session) has no event \(seq): "
      + (eventCount == 0 ? "it has no events" : "its events are 1...\(eventCount)")
  }
}
