/// How far a pass over a session's events has got (export, report), for a status line.
package struct EventProgress: Hashable, Sendable {
  /// Events done so far.
  package var done: Int
  /// Events the pass covers.
  package var total: Int

  package init(done: Int, total: Int) {
    self.done = done
    self.total = total
  }
}

/// Counts a pass's events and tells `report` at the start and every `interval` events, so
/// that a status line shows something at once and costs nothing per event.
package struct EventProgressCounter {
  package static let interval = 4_096
  private let total: Int
  private let report: ((EventProgress) -> Void)?
  private var done = 0

  package init(total: Int, report: ((EventProgress) -> Void)?) {
    self.total = max(total, 0)
    self.report = report
    report?(EventProgress(done: 0, total: self.total))
  }

  /// One more event done.
  package mutating func step() {
    done += 1
    if done % Self.interval == 0 { report?(EventProgress(done: done, total: total)) }
  }
}
