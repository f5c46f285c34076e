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

  /// Every step of `range`, in order, streamed (bounded memory). `body`'s own error stops
  /// the replay and comes out unchanged.
  package func forEach(
    _ range: EventRange = .all, _ body: (ReplayStep) throws -> Void
  ) throws {
    var (seqs, state) = try start(range)
    do {
      try store.events(session: session, from: seqs.lowerBound, to: seqs.upperBound) { stored in
        try body(Self.step(stored, after: &state))
      }
    } catch let error as StoreError {
      throw SessionsError.store(error)
    }
  }

  /// The step at `seq` alone: the snapshot at or before it plus at most K folds.
  package func step(at seq: Int) throws(SessionsError) -> ReplayStep {
    var (seqs, state) = try start(.only(seq))
    var found: ReplayStep?
    do {
      try store.events(session: session, from: seqs.lowerBound, to: seqs.upperBound) {
        (stored: StoredEvent) in
        found = Self.step(stored, after: &state)
      }
    } catch {
      throw .store(error)
    }
    guard let found else {
      let count = (try? store.session(session).eventCount) ?? 0
      throw .usage(EventRange.noEvent(seq, in: session, eventCount: count))
    }
    return found
  }

  /// The seqs of `range` in this session and the state before the first of them.
  private func start(_ range: EventRange) throws(SessionsError) -> (ClosedRange<Int>, HostState) {
    let count: Int
    do {
      count = try store.session(session).eventCount
    } catch {
      throw .store(error)
    }
    let seqs = try range.seqs(in: session, eventCount: count)
    do {
      return (seqs, try store.state(session: session, at: seqs.lowerBound - 1))
    } catch {
      throw .store(error)
    }
  }

  /// Folds `stored` into `state` and describes the step.
  private static func step(_ stored: StoredEvent, after state: inout HostState) -> ReplayStep {
    let before = state
    let violations = state.apply(stored.event)
    return ReplayStep(
      seq: stored.seq, event: stored.event, source: stored.source, state: state,
      changes: state.changes(from: before), violations: violations)
  }
}
