import Foundation
import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// A stored session as one self-contained HTML page: a virtualized sequence diagram with the
/// host's trace events beside each arrow, the channel and GPADL lifelines, a stepper that
/// shows the full host state at any event (the same as `replay`), and the session's summary.
/// Nothing is fetched: data, script and style are inline.
package struct SessionReport {
  package let store: EventStore
  package let session: SessionID

  package init(store: EventStore, session: SessionID) {
    self.store = store
    self.session = session
  }

  /// What a written report holds.
  package struct Written: Hashable, Sendable {
    /// The events it covers.
    package var events: Int
    /// Its message arrows.
    package var messages: Int
    /// Its rows (messages and notes).
    package var rows: Int
    /// The page's size in bytes.
    package var bytes: Int
  }

  /// Writes the page for `events` to `path`, telling `progress` how many events were read.
  @discardableResult
  package func write(
    to path: String, events: EventRange = .all,
    checks: ReportChecks = .sample(count: 16), progress: ((EventProgress) -> Void)? = nil
  ) throws(SessionsError) -> Written {
    let (page, written) = try render(events, checks: checks, progress: progress)
    try OutputFile.write(page, to: path)
    return written
  }

  /// The page for `events`, and what it holds; `progress` hears how many events were read.
  package func render(
    _ events: EventRange = .all, checks: ReportChecks = .sample(count: 16),
    progress: ((EventProgress) -> Void)? = nil
  ) throws(SessionsError) -> (page: [UInt8], written: Written) {
    let summary: SessionSummary
    let initial: HostState
    let seqs: ClosedRange<Int>
    do {
      summary = try store.session(session)
    } catch {
      throw .store(error)
    }
    seqs = try events.seqs(in: session, eventCount: summary.eventCount)
    do {
      initial = try store.state(session: session, at: seqs.lowerBound - 1)
    } catch {
      throw .store(error)
    }
    let first = seqs.lowerBound
    let end = min(seqs.upperBound, summary.eventCount)
    var builder = ReportDataBuilder(
      initial: initial, firstSeq: first, lastSeq: end, checks: checks)
    var counter = EventProgressCounter(total: end - first + 1, report: progress)
    do {
      try store.events(session: session, from: first, to: end) { (stored: StoredEvent) in
        builder.add(stored)
        counter.step()
      }
    } catch {
      throw .store(error)
    }
    let violations = builder.violationCount
    let covered = builder.lastSeq - builder.firstSeq + 1
    let (data, diagram) = builder.finish { diagram in
      ReportSummary(summary: summary, diagram: diagram, violations: violations)
    }
    let page = ReportPage.html(title: ReportSummary.title(summary), data: try data.scriptSafeJSON())
    return (
      page,
      Written(
        events: max(covered, 0), messages: diagram.messageCount, rows: diagram.rows.count,
        bytes: page.count)
    )
  }
}
