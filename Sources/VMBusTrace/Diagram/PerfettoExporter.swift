import VMBusHost

/// Writes a session as Chrome trace-event JSON, which ui.perfetto.dev and chrome://tracing
/// open.
///
/// Tracks (threads of one process): `guest` (each message the guest sent), `host` (the
/// handling of each guest message, and each message the host posted, from its send function
/// to its delivery callback), `bus` (the bus state, notes, violations), one per channel (its
/// state, data-plane notifications) and GPADL lanes (the states of GPADLs; GPADLs whose
/// lifetimes do not overlap share a lane). Flow arrows (`bind_id`) run from each guest request through
/// its handling to every host message that answers it; an `rx queue` counter follows the
/// queue's length.
///
/// Time: the events' timestamps (virtual time for a simulation, the trace's clock for an
/// import, continued across a migration by ``SessionClock``), made strictly increasing by at
/// least 1 ns; a session without timestamps is laid out one event per microsecond.
package struct PerfettoExporter: Sendable {
  /// The process name shown in the viewer.
  package var title: String
  private var builder: DiagramBuilder
  private var firstSeq: Int?
  private var origin: Int64?
  private var clock = SessionClock()
  private var times: [Int64] = []
  private var texts: [String] = []
  private var takesFromQueue: [Bool] = []
  private var dataPlane: [(seq: Int, track: Track, name: String)] = []
  private let initialQueueLength: Int

  /// Starts from `initial`, the state before the first event added.
  package init(title: String, initial: HostState = HostState(), firstSeq: Int = 1) {
    self.title = title
    builder = DiagramBuilder(initial: initial, firstSeq: firstSeq)
    initialQueueLength = initial.rxQueue.count
  }

  /// Adds the next event: its timestamp in nanoseconds when the session has one, and the
  /// text to show for it.
  package mutating func add(seq: Int, event: HostEvent, timestampNanos: Int64?, text: String) {
    let timestampNanos = clock.time(of: event, timestampNanos: timestampNanos)
    if firstSeq == nil {
      firstSeq = seq
      origin = timestampNanos
    }
    let previous = times.last ?? -1
    var time: Int64
    if let origin, let timestampNanos {
      time = timestampNanos &- origin
    } else if origin != nil {
      time = previous
    } else {
      time = Int64(times.count) * 1_000
    }
    if time <= previous { time = previous == .max ? .max : previous + 1 }
    times.append(time)
    texts.append("#\(seq) \(text)")
    if case .trace(.processIncomingMessage) = event {
      takesFromQueue.append(true)
    } else {
      takesFromQueue.append(false)
    }
    switch event {
    case .trace(.signalEvent): dataPlane.append((seq, .bus, "vmbus_signal_event"))
    case .trace(.channelNotifyGuest(let chan)):
      dataPlane.append((seq, .lifeline(.channel(chan)), "vmbus_channel_notify_guest"))
    case .simulator(.signal(let connection, _)):
      dataPlane.append((seq, .guest, "signal conn \(connection)"))
    default: break
    }
    builder.add(seq: seq, event: event)
  }

  /// The whole JSON document.
  package mutating func finish() -> [UInt8] {
    let diagram = builder.finish()
    var writer = TraceEventWriter()
    let channels = Set(diagram.lifelineKeys.filter { $0.kind == .channel })
      .union(dataPlane.compactMap(\.track.lifeline)).sorted()
    let gpadlLanes = LifelineLane.pack(diagram.lifelines.filter { $0.key.kind == .gpadl })
    var tids: [Track: Int] = [.guest: 1, .host: 2, .bus: 3]
    var names: [Int: String] = [1: "guest", 2: "host (QEMU main loop)", 3: "bus"]
    for key in channels {
      guard case .channel(let id) = key else { continue }
      tids[.lifeline(key)] = 100 + Int(id.rawValue)
      names[100 + Int(id.rawValue)] = key.description
    }
    for (index, lane) in gpadlLanes.enumerated() { names[10_000 + index] = lane.name }
    writer.metadata(title: title, tracks: names)
    let end = Self.after(times.last ?? 0)
    writeSlices(of: diagram, to: &writer)
    var stateTracks: [(tid: Int, spans: [LifelineLane.Span])] = []
    if let bus = diagram.lifelines[.bus] {
      stateTracks.append((3, bus.map { .init(start: $0.start, state: $0.state, object: nil) }))
    }
    for key in channels {
      guard let tid = tids[.lifeline(key)], let spans = diagram.lifelines[key] else { continue }
      stateTracks.append((tid, spans.map { .init(start: $0.start, state: $0.state, object: nil) }))
    }
    for (index, lane) in gpadlLanes.enumerated() {
      stateTracks.append((10_000 + index, lane.spans))
    }
    for (tid, spans) in stateTracks {
      for (index, span) in spans.enumerated() where span.state != LifelineState.absent {
        let start = time(span.start)
        let stop = index + 1 < spans.count ? time(spans[index + 1].start) : end
        guard stop > start else { continue }
        let name = span.object.map { "\($0): \(span.state)" } ?? span.state
        writer.slice(TraceSlice(name: name, category: "state", tid: tid, start: start, end: stop))
      }
    }
    for item in dataPlane {
      writer.instant(
        name: item.name, category: "data_plane", tid: tids[item.track] ?? 3, at: time(item.seq),
        args: [("event", text(item.seq))])
    }
    writer.counter(name: "rx queue", at: 0, value: initialQueueLength)
    for sample in diagram.queueLengths {
      writer.counter(name: "rx queue", at: time(sample.seq), value: sample.length)
    }
    return writer.finish()
  }

  // MARK: - Messages and notes

  private func writeSlices(of diagram: SessionDiagram, to writer: inout TraceEventWriter) {
    var guest: [TraceSlice] = []
    var host: [TraceSlice] = []
    for (index, row) in diagram.rows.enumerated() {
      let flow = index + 1
      let events = row.seqs.map(text).joined(separator: "\n")
      switch row.content {
      case .message(let message):
        var args = [("outcome", message.outcome), ("events", events)]
        if !row.violations.isEmpty { args.append(("violations", violations(row))) }
        if message.direction == .guestToHost {
          let taken = row.seqs.firstIndex { takes($0) }
          let sent = taken.map { Array(row.seqs[..<$0]) } ?? row.seqs
          guest.append(
            TraceSlice(
              name: message.label, category: "guest_to_host", tid: 1,
              start: time(sent.first ?? row.firstSeq), end: time(sent.last ?? row.firstSeq),
              args: args, flow: .out(flow)))
          if let taken {
            let handled = row.seqs[taken...]
            host.append(
              TraceSlice(
                name: "handle \(message.type.name)", category: "handling", tid: 2,
                start: time(handled.first ?? row.firstSeq),
                end: time(handled.last ?? row.firstSeq), args: args, flow: .step(flow)))
          }
        } else {
          host.append(
            TraceSlice(
              name: message.label, category: "host_to_guest", tid: 2, start: time(row.firstSeq),
              end: time(row.seqs.last ?? row.firstSeq), args: args,
              flow: message.replyTo.map { .step($0 + 1) }))
        }
      case .note(let note):
        if note.kind == .hostFault || note.kind == .migration {
          writer.globalInstant(name: note.text, at: time(row.firstSeq), args: [("events", events)])
        } else if note.kind != .dataPlane {
          writer.instant(
            name: note.text, category: note.kind.rawValue, tid: 3, at: time(row.firstSeq),
            args: [("events", events)])
        }
      }
      for item in row.violations {
        writer.instant(
          name: "violation: \(item.violation.rule.rawValue)", category: "violation", tid: 3,
          at: time(item.seq),
          args: [("message", item.violation.message), ("event", text(item.seq))])
      }
    }
    for slice in Self.laidOut(guest) + Self.laidOut(host) { writer.slice(slice) }
  }

  private func violations(_ row: DiagramRow) -> String {
    row.violations.map { "#\($0.seq) \($0.violation.rule.rawValue): \($0.violation.message)" }
      .joined(separator: "\n")
  }

  /// Slices of one track, ended no later than the next one starts, and given at least a
  /// little width (1 µs, or up to the next slice) when their events share one instant.
  static func laidOut(_ slices: [TraceSlice]) -> [TraceSlice] {
    let sorted = slices.sorted { $0.start < $1.start }
    var result: [TraceSlice] = []
    result.reserveCapacity(sorted.count)
    for (index, slice) in sorted.enumerated() {
      let next = index + 1 < sorted.count ? sorted[index + 1].start : Int64.max
      var laid = slice
      if laid.end <= laid.start { laid.end = after(laid.start) }
      laid.end = min(laid.end, next)
      if laid.end > laid.start { result.append(laid) }
    }
    return result
  }

  /// A microsecond after `time`, or the end of time.
  static func after(_ time: Int64) -> Int64 {
    time > .max - 1_000 ? .max : time + 1_000
  }

  private func index(_ seq: Int) -> Int? {
    guard let firstSeq, seq >= firstSeq, seq - firstSeq < times.count else { return nil }
    return seq - firstSeq
  }

  private func time(_ seq: Int) -> Int64 {
    index(seq).map { times[$0] } ?? 0
  }

  private func text(_ seq: Int) -> String {
    index(seq).map { texts[$0] } ?? "#\(seq)"
  }

  private func takes(_ seq: Int) -> Bool {
    index(seq).map { takesFromQueue[$0] } ?? false
  }
}

/// A track of the exported trace.
enum Track: Hashable, Sendable {
  case guest
  case host
  case bus
  case lifeline(LifelineKey)

  var lifeline: LifelineKey? {
    if case .lifeline(let key) = self { return key }
    return nil
  }
}
