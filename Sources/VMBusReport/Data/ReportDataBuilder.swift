import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// Which steps the page's self-test compares with the state `replay` prints.
package enum ReportChecks: Hashable, Sendable {
  /// The first and last step and about `count` more spread over the session.
  case sample(count: Int)
  /// Every step (for tests on short sessions).
  case every
}

/// Collects, event by event, what the page needs: each event's text, changes, violations
/// and state delta (interned, so repeats cost an index), and the diagram's rows and
/// lifelines; then puts it all together as one `ReportData`.
struct ReportDataBuilder {
  private var diagram: DiagramBuilder
  private var pieces: StatePieces
  private let initialPieces: StatePieces
  private var strings = InternTable<String>(first: "")
  private var lists = InternTable<[Int]>(first: [])
  private var deltas = InternTable<[Delta]>(first: [])
  private var events = ReportEvents()
  private var origin: Int64?
  private var previousTime: Int64 = 0
  /// One timeline across a migration's two clocks.
  private var clock = SessionClock()
  private var hasTimes = false
  private var checks: [ReportCheck] = []
  private let checkSeqs: Set<Int>
  private let checkEvery: Bool
  let firstSeq: Int
  private(set) var lastSeq: Int
  private(set) var violationCount = 0

  /// One operation of a state delta, before the deltas are laid out as columns.
  private struct Delta: Hashable {
    var operation: ReportDeltaOperation
    var key: Int
    var text: Int
  }

  /// Starts from `initial`, the state before `firstSeq`; `lastSeq` is where the session (or
  /// excerpt) is expected to end, for spreading the sampled checks.
  init(initial: HostState, firstSeq: Int, lastSeq: Int, checks: ReportChecks) {
    diagram = DiagramBuilder(initial: initial, firstSeq: firstSeq)
    pieces = StatePieces(initial)
    initialPieces = pieces
    self.firstSeq = firstSeq
    self.lastSeq = firstSeq - 1
    switch checks {
    case .every:
      checkEvery = true
      checkSeqs = []
    case .sample(let count):
      checkEvery = false
      let span = max(lastSeq - firstSeq, 0)
      var seqs: Set<Int> = [firstSeq, lastSeq]
      if count > 0 {
        for index in 1...count { seqs.insert(firstSeq + span * index / (count + 1)) }
      }
      checkSeqs = seqs
    }
  }

  /// Adds the next event of the session.
  mutating func add(_ stored: StoredEvent) {
    let before = diagram.state
    let violations = diagram.add(seq: stored.seq, event: stored.event)
    let after = diagram.state
    lastSeq = stored.seq
    violationCount += violations.count
    let changes = after.changes(from: before).map { strings.index(of: $0.description) }
    let broken = violations.map {
      strings.index(of: "\($0.rule.rawValue): \($0.event): \($0.message)")
    }
    let delta = pieces.update(from: before, to: after).map { operation, key, text in
      Delta(
        operation: ReportDeltaOperation(operation), key: Int(key),
        text: text.map { strings.index(of: $0) } ?? 0)
    }
    let changesIndex = lists.index(of: changes)
    events.text.append(strings.index(of: stored.event.text))
    events.changes.append(changesIndex)
    events.violations.append(lists.index(of: broken))
    events.delta.append(deltas.index(of: delta))
    events.timeStep.append(
      timeStep(clock.time(of: stored.event, timestampNanos: stored.source?.tsNanos)))
    if checkEvery || checkSeqs.contains(stored.seq) {
      var json = JSONBuilder()
      after.writeJSON(into: &json)
      checks.append(ReportCheck(seq: stored.seq, state: json.text, changes: changesIndex))
    }
  }

  private mutating func timeStep(_ nanos: Int64?) -> Int {
    guard let nanos else { return 0 }
    hasTimes = true
    let origin = self.origin ?? nanos
    self.origin = origin
    let time = nanos &- origin
    defer { previousTime = time }
    return Int(truncatingIfNeeded: time &- previousTime)
  }

  /// The page's data, with `summary` made from the finished diagram.
  mutating func finish(
    summary: (SessionDiagram) -> ReportSummary
  ) -> (data: ReportData, diagram: SessionDiagram) {
    let diagram = self.diagram.finish()
    let initialState = ReportState(
      fields: initialPieces.fields.map { strings.index(of: $0) },
      channels: initialPieces.channels.sorted { $0.key < $1.key }.map {
        ReportStateObject(id: Int($0.key), text: strings.index(of: $0.value))
      },
      gpadls: initialPieces.gpadls.sorted { $0.key < $1.key }.map {
        ReportStateObject(id: Int($0.key), text: strings.index(of: $0.value))
      })
    var rows = ReportRows()
    for row in diagram.rows { append(row, to: &rows) }
    let lanes = LifelineLane.pack(diagram.lifelines)
    let lifelines = lanes.prefix(Self.maxLanes).map { lane in
      var spans = ReportLifeline.Spans()
      for span in lane.spans {
        spans.start.append(span.start)
        spans.state.append(strings.index(of: span.state))
        spans.object.append(strings.index(of: span.object?.description ?? ""))
      }
      return ReportLifeline(name: lane.name, kind: lane.kind.rawValue, spans: spans)
    }
    var deltaColumns = ReportDeltas()
    for delta in deltas.values {
      deltaColumns.operationCount.append(delta.count)
      for operation in delta {
        deltaColumns.operation.append(
          ReportDeltaOperation.allCases.firstIndex(of: operation.operation) ?? 0)
        deltaColumns.key.append(operation.key)
        deltaColumns.text.append(operation.text)
      }
    }
    let data = ReportData(
      summary: summary(diagram), firstSeq: firstSeq, lastSeq: lastSeq,
      clock: hasTimes ? .ns : .none, stateFields: initialPieces.fieldNames,
      initialState: initialState, rowKinds: ReportRowKind.allCases,
      fates: MessageFate.allCases.map(\.rawValue),
      noteKinds: DiagramNoteKind.allCases.map(\.rawValue),
      deltaOperations: ReportDeltaOperation.allCases, rows: rows, lifelines: Array(lifelines),
      hiddenLifelines: max(lanes.count - Self.maxLanes, 0), checks: checks, lists: lists.values,
      deltas: deltaColumns, events: events,
      // Taken last: the rows and lifelines above intern more strings.
      strings: strings.values)
    return (data, diagram)
  }

  private mutating func append(_ row: DiagramRow, to rows: inout ReportRows) {
    switch row.content {
    case .message(let message):
      rows.kind.append(
        ReportRowKind.allCases.firstIndex(
          of: message.direction == .guestToHost ? .guestToHost : .hostToGuest) ?? 0)
      rows.text.append(strings.index(of: message.label))
      rows.outcome.append(strings.index(of: message.outcome))
      rows.fate.append(MessageFate.allCases.firstIndex(of: message.fate) ?? 0)
      rows.noteKind.append(-1)
      rows.replyTo.append(message.replyTo ?? -1)
    case .note(let note):
      rows.kind.append(ReportRowKind.allCases.firstIndex(of: .note) ?? 0)
      rows.text.append(strings.index(of: note.text))
      rows.outcome.append(0)
      rows.fate.append(-1)
      rows.noteKind.append(DiagramNoteKind.allCases.firstIndex(of: note.kind) ?? 0)
      rows.replyTo.append(-1)
    }
    rows.seqCount.append(row.seqs.count)
    var previous = 0
    for seq in row.seqs {
      rows.seqSteps.append(seq - previous)
      previous = seq
    }
  }

  /// The most lifeline columns a page draws (objects alive at once beyond this are left out).
  static let maxLanes = 64
}

extension ReportDeltaOperation {
  init(_ operation: StatePieces.Operation) {
    switch operation {
    case .setField: self = .setField
    case .setChannel: self = .setChannel
    case .removeChannel: self = .removeChannel
    case .setGpadl: self = .setGpadl
    case .removeGpadl: self = .removeGpadl
    }
  }
}
