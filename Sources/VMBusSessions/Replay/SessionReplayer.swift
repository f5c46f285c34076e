import VMBusHost
import VMBusStore

/// One step of a replay: the event, the state after it, what changed and what it broke.
public struct ReplayStep: Sendable {
  public var seq: Int
  public var event: HostEvent
  public var source: EventSource?
  public var state: HostState
  public var changes: [StateChange]
  public var violations: [ProtocolViolation]
}

/// Steps through a stored session: state at any seq is the nearest snapshot plus folds.
public struct SessionReplayer: Sendable {
  public let store: EventStore
  public let session: SessionID

  public init(store: EventStore, session: SessionID) {
    self.store = store
    self.session = session
  }

  /// Every step from `first` through `last`, in order, streamed (bounded memory).
  public func forEach(
    from first: Int = 1, to last: Int = .max, _ body: (ReplayStep) throws -> Void
  ) throws {
    var state: HostState
    do {
      let count = try store.session(session).eventCount
      if first > max(count, 1) {
        throw SessionsError.usage(Self.noEvent(first, in: session, count: count))
      }
      state = try store.state(session: session, at: max(first - 1, 0))
    } catch let error as StoreError {
      throw SessionsError.store(error)
    }
    do {
      try store.events(session: session, from: first, to: last) { stored in
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
  public func step(at seq: Int) throws(SessionsError) -> ReplayStep {
    var found: ReplayStep?
    do {
      try forEach(from: seq, to: seq) { found = $0 }
    } catch let error as SessionsError {
      throw error
    } catch {
      throw .io("\(error)")
    }
    guard let found else {
      let count = (try? store.session(session).eventCount) ?? 0
      throw .usage(Self.noEvent(seq, in: session, count: count))
    }
    return found
  }

  /// Why there is no step `seq`, with the steps there are.
  static func noEvent(_ seq: Int, in session: SessionID, count: Int) -> String {
    "session \(session) has no event \(seq): "
      + (count == 0 ? "it has no events" : "its events are 1...\(count)")
  }
}
