import VMBusHost
import VMBusStore
import VMBusTrace

/// The second pass's session writer: stores skipped lines beside the events, reports each
/// commit, and closes the session on failure.
struct ImportWriter: ~Copyable {
  let store: EventStore
  var writer: SessionWriter
  let afterCommit: ((_ committedEvents: Int) -> Void)?
  private var skipped: [SkippedLine] = []

  /// Skipped lines are written this many at a time.
  private static let skippedBatch = 10_000

  init(store: EventStore, writer: consuming SessionWriter, afterCommit: ((Int) -> Void)?) {
    self.store = store
    self.writer = writer
    self.afterCommit = afterCommit
  }

  /// The fold of every event appended so far.
  var state: HostState { writer.state }

  /// Events appended so far: the last one's seq.
  var count: Int { writer.count }

  mutating func append(_ event: HostEvent, source: EventSource?) throws(StoreError) {
    let committed = writer.committedCount
    try writer.append(event, source: source)
    if writer.committedCount != committed { afterCommit?(writer.committedCount) }
  }

  mutating func appendSkipped(_ line: SkippedLine) throws(StoreError) {
    skipped.append(line)
    if skipped.count >= Self.skippedBatch { try flushSkipped() }
  }

  private mutating func flushSkipped() throws(StoreError) {
    try store.appendSkippedLines(skipped, session: writer.sessionID)
    skipped.removeAll(keepingCapacity: true)
  }

  /// Runs the second pass `body`, then marks the session complete; if `body` throws, marks
  /// it failed instead and rethrows. Returns the session's id.
  consuming func store(
    metadata: SessionMetadata, _ body: (inout ImportWriter) throws(SessionsError) -> Void
  ) throws(SessionsError) -> SessionID {
    do {
      try body(&self)
    } catch {
      fail(because: error)
      throw error
    }
    return try finish(metadata: metadata)
  }

  /// Writes the rest and marks the session complete (after its skipped lines, so a complete
  /// session has all of them); returns its id.
  private consuming func finish(metadata: SessionMetadata) throws(SessionsError) -> SessionID {
    let session = writer.sessionID
    let report = afterCommit
    let summary: SessionSummary
    do {
      try flushSkipped()
      summary = try writer.finish(metadata: metadata)
    } catch {
      throw .store(error)
    }
    // The last commit too: a file shorter than a batch has no other.
    report?(summary.eventCount)
    return session
  }

  /// Marks the session failed so that it does not look like a killed import. Best effort: the
  /// error being reported matters more than a second one from the store.
  private consuming func fail(because error: SessionsError) {
    try? writer.fail(reason: "\(error)")
  }
}

extension LogSkipReason {
  /// How the store records the reason.
  var storedReason: SkippedLine.Reason {
    switch self {
    case .blank: .blank
    case .otherTracePoint: .otherTracePoint
    case .notTraceOutput: .notTraceOutput
    case .cutOff: .cutOff
    }
  }
}
