import VMBusHost

/// A session (or an excerpt of one) as a sequence diagram: message and note rows in the
/// order of their first event, the lifelines of the bus, channels and GPADLs, and the rx
/// queue's length over time.
package struct SessionDiagram: Hashable, Sendable {
  /// The rows, ordered by their first event.
  package var rows: [DiagramRow]
  /// Each lifeline's spans, in seq order.
  package var lifelines: [LifelineKey: [LifelineSpan]]
  /// Every change of the rx queue's length.
  package var queueLengths: [QueueLengthSample]
  /// The first and last seq the diagram covers; empty when no event was added.
  package var seqs: ClosedRange<Int>?

  package init(
    rows: [DiagramRow], lifelines: [LifelineKey: [LifelineSpan]],
    queueLengths: [QueueLengthSample], seqs: ClosedRange<Int>?
  ) {
    self.rows = rows
    self.lifelines = lifelines
    self.queueLengths = queueLengths
    self.seqs = seqs
  }

  /// The rows that are messages.
  package var messageCount: Int { rows.count { $0.message != nil } }

  /// The lifelines in order: bus, channels by relid, GPADLs by id.
  package var lifelineKeys: [LifelineKey] { lifelines.keys.sorted() }

  /// Builds the diagram of `events` (seq and event, in order) folded from `initial`.
  package static func build(
    _ events: some Sequence<(seq: Int, event: HostEvent)>, from initial: HostState = HostState()
  ) -> SessionDiagram {
    var builder: DiagramBuilder?
    for (seq, event) in events {
      if builder == nil { builder = DiagramBuilder(initial: initial, firstSeq: seq) }
      builder?.add(seq: seq, event: event)
    }
    if let diagram = builder?.finish() { return diagram }
    var empty = DiagramBuilder(initial: initial)
    return empty.finish()
  }
}

/// The rx queue held `length` messages from event `seq` on.
package struct QueueLengthSample: Hashable, Sendable {
  /// The event that changed the length.
  package var seq: Int
  /// The length after it.
  package var length: Int

  package init(seq: Int, length: Int) {
    self.seq = seq
    self.length = length
  }
}
