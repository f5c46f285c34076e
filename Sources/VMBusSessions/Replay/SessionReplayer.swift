import VMBusHost
import VMBusStore

/// One step of a replay: the event, the state after it, what changed and what it broke.
package struct ReplayStep: Sendable {
  package var seq: Int
  package var event: HostEvent
  package var source: EventSource?
  package var state: HostState
  package var changes: [StateChange]
  package var violations: [ProtocolViolation]
}

/// Steps through a stored session: state at any seq is the nearest snapshot plus folds.
package struct SessionReplayer: Sendable {
  package let store: EventStore
  package let session: SessionID

  package init(store: EventStore, session: SessionID) {
    self.store = store
    self.session = session
  }

  /// Every step of `range`, in order, streamed (bounded memory).
  package func forEach(
    _ range: EventRange = .all, _ body: (ReplayStep) throws -> Void
  ) throws {
    var state: HostState
    let seqs: ClosedRange<Int>
    do {
      let count = try store.session(session).eventCount
      seqs = try range.seqs(in: session, eventCount: count)
      state = try store.state(session: session, at: seqs.lowerBound - 1)
    } catch let error as StoreError {
      throw SessionsError.store(error)
    }
    do {
      try store.events(session: session, from: seqs.lowerBound, to: seqs.upperBound) { stored in
        let before = state
        let violations = state.apply(stored.event)
        try body(
          ReplayStep(
            seq: stored.seq, event: stored.event, source: stored.source, state: state,
            changes: state.changes(from: before), violations: violations))
      }
    } catch let error as StoreError {
      throw SessionsError.store(error)
    }
  }

  /// The step at `seq` alone: the snapshot at or before it plus at most K folds.
  package func step(at seq: Int) throws(SessionsError) -> ReplayStep {
    var found: ReplayStep?
    do {
      try forEach(.only(seq)) { found = $0 }
    } catch let error as SessionsError {
      throw error
    } catch {
      throw .io("\(error)")
    }
    guard let found else {
      let count = (try? store.session(session).eventCount) ?? 0
      throw .usage(EventRange.noEvent(seq, in: session, eventCount: count))
    }
    return found
  }
}
