import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// Which steps the page's self-test compares with the state `replay` prints.
public enum ReportChecks: Hashable, Sendable {
  /// The first and last step and about `count` more spread over the session.
  case sample(count: Int)
  /// Every step (for tests on short sessions).
  case every
}

/// Collects, event by event, what the page needs: each event's text, changes, violations
/// and state delta (interned, so repeats cost an index), and the diagram's rows and
/// lifelines; then writes it all as one compact JSON value.
struct ReportDataBuilder {
  private var diagram: DiagramBuilder
  private var pieces: StatePieces
  private let initialPieces: StatePieces
  private var strings = InternTable<String>(first: "")
  private var lists = InternTable<[Int]>(first: [])
  private var deltas = InternTable<[Int]>(first: [])
  /// Five integers per event: text, changes list, violations list, delta, time step (ns).
  private var events: [Int] = []
  private var origin: Int64?
  private var previousTime: Int64 = 0
  private var hasTimes = false
  private var checks: [(seq: Int, state: String, changes: Int)] = []
  private let checkSeqs: Set<Int>
  private let checkEvery: Bool
  let firstSeq: Int
  private(set) var lastSeq: Int
  private(set) var violationCount = 0

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
    var delta: [Int] = []
    for (operation, key, text) in pieces.update(from: before, to: after) {
      delta += [operation.rawValue, Int(key), text.map { strings.index(of: $0) } ?? 0]
    }
    let changesIndex = lists.index(of: changes)
    events += [
      strings.index(of: stored.event.text), changesIndex, lists.index(of: broken),
      deltas.index(of: delta), timeStep(stored.source?.tsNanos),
    ]
    if checkEvery || checkSeqs.contains(stored.seq) {
      var json = JSONBuilder()
      after.writeJSON(into: &json)
      checks.append((stored.seq, json.text, changesIndex))
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

  /// The JSON value, with what `summary` encodes as its `summary` member, and every `<`
  /// escaped so that the text can sit inside a `<script>` element.
  mutating func finish(
    summary: (SessionDiagram) -> [UInt8]
  ) -> (json: [UInt8], diagram: SessionDiagram) {
    let diagram = self.diagram.finish()
    var out: [UInt8] = []
    out.reserveCapacity(events.count * 4 + 1 << 16)
    out += Array(#"{"version":1,"summary":"#.utf8) + summary(diagram)
    out += Array(#","from":\#(firstSeq),"to":\#(lastSeq),"clock":"#.utf8)
    JSONText.appendString(hasTimes ? "ns" : "none", to: &out)
    out += Array(#","scalar_keys":"#.utf8)
    Self.appendStrings(initialPieces.fieldNames, to: &out)
    out += Array(#","initial":{"s":"#.utf8)
    Self.appendInts(initialPieces.fields.map { strings.index(of: $0) }, to: &out)
    out += Array(#","c":"#.utf8)
    Self.appendInts(
      initialPieces.channels.sorted { $0.key < $1.key }
        .flatMap { [Int($0.key), strings.index(of: $0.value)] }, to: &out)
    out += Array(#","g":"#.utf8)
    Self.appendInts(
      initialPieces.gpadls.sorted { $0.key < $1.key }
        .flatMap { [Int($0.key), strings.index(of: $0.value)] }, to: &out)
    out += Array(#"},"fates":"#.utf8)
    Self.appendStrings(MessageFate.allCases.map(\.rawValue), to: &out)
    out += Array(#","note_kinds":"#.utf8)
    Self.appendStrings(DiagramNoteKind.allCases.map(\.rawValue), to: &out)
    out += Array(#","rows":["#.utf8)
    for (index, row) in diagram.rows.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      let encoded = encoded(row)
      Self.appendInts(encoded, to: &out)
    }
    let lanes = LifelineLane.pack(diagram.lifelines)
    out += Array(#"],"hidden_lanes":\#(max(lanes.count - Self.maxLanes, 0)),"lifelines":["#.utf8)
    for (index, lane) in lanes.prefix(Self.maxLanes).enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out += Array(#"{"name":"#.utf8)
      JSONText.appendString(lane.name, to: &out)
      out += Array(#","kind":"#.utf8)
      JSONText.appendString(lane.kind.rawValue, to: &out)
      out += Array(#","spans":"#.utf8)
      Self.appendInts(
        lane.spans.flatMap {
          [$0.start, strings.index(of: $0.state), strings.index(of: $0.object?.description ?? "")]
        }, to: &out)
      out.append(UInt8(ascii: "}"))
    }
    out += Array(#"],"checks":["#.utf8)
    for (index, check) in checks.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out += Array("[\(check.seq),".utf8)
      JSONText.appendString(check.state, to: &out)
      out += Array(",\(check.changes)]".utf8)
    }
    out += Array(#"],"lists":["#.utf8)
    for (index, list) in lists.values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      Self.appendInts(list, to: &out)
    }
    out += Array(#"],"deltas":["#.utf8)
    for (index, delta) in deltas.values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      Self.appendInts(delta, to: &out)
    }
    out += Array(#"],"events":"#.utf8)
    Self.appendInts(events, to: &out)
    // Last, because the rows, lifelines and checks above intern more strings.
    out += Array(#","strings":"#.utf8)
    Self.appendStrings(strings.values, to: &out)
    out.append(UInt8(ascii: "}"))
    return (Self.scriptSafe(out), diagram)
  }

  /// `[kind, a, b, c, d, e, n, first seq, seq steps...]`: a message is `0, direction, label,
  /// outcome, fate, reply-to row (or -1)`; a note is `1, kind, text, 0, 0, -1`.
  private mutating func encoded(_ row: DiagramRow) -> [Int] {
    var head: [Int]
    switch row.content {
    case .message(let message):
      head = [
        0, message.direction == .guestToHost ? 0 : 1, strings.index(of: message.label),
        strings.index(of: message.outcome), MessageFate.allCases.firstIndex(of: message.fate) ?? 0,
        message.replyTo ?? -1,
      ]
    case .note(let note):
      head = [
        1, DiagramNoteKind.allCases.firstIndex(of: note.kind) ?? 0, strings.index(of: note.text),
        0, 0, -1,
      ]
    }
    head.append(row.seqs.count)
    var previous = 0
    for seq in row.seqs {
      head.append(seq - previous)
      previous = seq
    }
    return head
  }

  /// The most lifeline columns a page draws (objects alive at once beyond this are left out).
  static let maxLanes = 64

  private static func appendInts(_ values: [Int], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out += String(value).utf8
    }
    out.append(UInt8(ascii: "]"))
  }

  private static func appendStrings(_ values: [String], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      JSONText.appendString(value, to: &out)
    }
    out.append(UInt8(ascii: "]"))
  }

  /// JSON whose `<` are written `\u003c`, so no `</script>` can end the element early.
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
