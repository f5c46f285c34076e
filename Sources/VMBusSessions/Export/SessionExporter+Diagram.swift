import VMBusHost
import VMBusStore
import VMBusTrace

extension SessionExporter {
  /// Streams the events of `range` into a Mermaid or Perfetto diagram, starting from the
  /// stored state before `range`.
  func exportDiagram(
    _ format: ExportFormat, _ range: ClosedRange<Int>, summary: SessionSummary,
    to path: String?, counter: inout EventProgressCounter
  ) throws(SessionsError) -> Int {
    let initial: HostState
    do {
      initial = try store.state(session: session, at: range.lowerBound - 1)
    } catch {
      throw .store(error)
    }
    let covered = min(range.upperBound, summary.eventCount)
    let title = Self.title(summary, covering: range.lowerBound...max(covered, range.lowerBound))
    var output: [UInt8]
    switch format {
    case .perfetto:
      var exporter = PerfettoExporter(title: title, initial: initial, firstSeq: range.lowerBound)
      try scanDiagram(range, counter: &counter) { stored in
        exporter.add(
          seq: stored.seq, event: stored.event, timestampNanos: stored.source?.tsNanos,
          text: stored.event.text)
      }
      output = exporter.finish()
    default:
      var builder = DiagramBuilder(initial: initial, firstSeq: range.lowerBound)
      try scanDiagram(range, counter: &counter) { stored in
        builder.add(seq: stored.seq, event: stored.event)
      }
      let text = MermaidExporter(title: title).render(builder.finish())
      let fenced = path.map { $0.lowercased().hasSuffix(".md") } ?? false
      output = Array((fenced ? "```mermaid\n" + text + "```\n" : text).utf8)
    }
    var sink = try TextSink(path: path)
    defer { sink.close() }
    try sink.write(output)
    try sink.finish()
    return summary.eventCount == 0 ? 0 : covered - range.lowerBound + 1
  }

  /// `session 1 linux-boot (simulated, seed 0), events 1-130`.
  static func title(_ summary: SessionSummary, covering seqs: ClosedRange<Int>) -> String {
    var facts = [summary.info.kind.rawValue]
    if let seed = summary.info.seed { facts.append("seed \(seed)") }
    if summary.info.kind == .imported, let source = summary.info.source {
      facts.append(source.file)
    }
    if case .string(let destination) = summary.info.metadata[MigratedSession.fileKey] {
      facts.append("migrated to \(destination)")
    }
    let events =
      summary.eventCount == 0 ? "no events" : "events \(seqs.lowerBound)-\(seqs.upperBound)"
    return
      "session \(summary.id) \(summary.info.name) (\(facts.joined(separator: ", "))), \(events)"
  }

  private func scanDiagram(
    _ range: ClosedRange<Int>, counter: inout EventProgressCounter,
    _ body: (StoredEvent) -> Void
  ) throws(SessionsError) {
    do {
      try store.events(session: session, from: range.lowerBound, to: range.upperBound) {
        (stored: StoredEvent) in
        body(stored)
        counter.step()
      }
    } catch {
      throw .store(error)
    }
  }
}
