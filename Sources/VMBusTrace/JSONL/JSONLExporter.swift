import VMBusHost

/// Writes trace events as JSON Lines, one object per event with a fixed key order:
///
/// ```json
/// {"seq": 1, "name": "vmbus_open_channel", "args": {"chan_id": 1, "gpadl_id": 925200, "target_vp": 0}}
/// ```
///
/// Argument names are QEMU's. Unsigned values print unsigned, `int` (`vmbus_msg_cb` status)
/// signed, pointers as a `"0x..."` string or `null`. A timestamp adds, after `args`:
/// `"tid"` (when present), `"sec"`, `"usec"` and the exact `"prefix"` text for log lines, or
/// `"timestamp_ns"` and `"pid"` for simple-trace records. A dropped-events gap is
/// `sim_traced_events_dropped` with `{"count": N}`.
package struct JSONLExporter: Hashable, Sendable {
  /// The `seq` of the next line.
  package var nextSeq: UInt64

  /// Creates an exporter whose first line has `seq` `firstSeq`.
  package init(firstSeq: UInt64 = 1) {
    nextSeq = firstSeq
  }

  /// Appends the line for `event` (newline included) and advances ``nextSeq``; returns false,
  /// appending nothing, for simulator events other than the dropped-events gap.
  @discardableResult
  package mutating func appendLine(
    _ event: HostEvent, timestamp: TraceTimestamp? = nil, to output: inout [UInt8]
  ) -> Bool {
    guard Self.appendLine(seq: nextSeq, event: event, timestamp: timestamp, to: &output) else {
      return false
    }
    nextSeq += 1
    return true
  }

  /// The line for `event` without its newline, advancing ``nextSeq``; nil for simulator
  /// events other than the dropped-events gap.
  package mutating func line(_ event: HostEvent, timestamp: TraceTimestamp? = nil) -> String? {
    var bytes: [UInt8] = []
    guard appendLine(event, timestamp: timestamp, to: &bytes) else { return nil }
    bytes.removeLast()
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends the line for `event` with the given `seq`, newline included.
  @discardableResult
  package static func appendLine(
    seq: UInt64, event: HostEvent, timestamp: TraceTimestamp?, to output: inout [UInt8]
  ) -> Bool {
    let name: String
    switch event {
    case .trace(let trace): name = trace.point.name
    case .simulator(.tracedEventsDropped): name = event.name
    case .simulator: return false
    }
    output.append(contentsOf: #"{"seq": "#.utf8)
    ASCII.appendDecimal(seq, to: &output)
    output.append(contentsOf: #", "name": "#.utf8)
    JSONText.appendString(name, to: &output)
    output.append(contentsOf: #", "args": {"#.utf8)
    switch event {
    case .trace(let trace): appendArguments(trace, to: &output)
    case .simulator(.tracedEventsDropped(let count)):
      output.append(contentsOf: #""count": "#.utf8)
      ASCII.appendDecimal(count, to: &output)
    case .simulator: break
    }
    output.append(UInt8(ascii: "}"))
    if let timestamp { appendTimestamp(timestamp, to: &output) }
    output.append(contentsOf: "}\n".utf8)
    return true
  }

  /// Appends `"name": value` pairs for the event's arguments, QEMU's names in order.
  package static func appendArguments(_ event: TraceEvent, to output: inout [UInt8]) {
    let words = event.words
    for (index, parameter) in event.point.parameters.enumerated() where index < words.count {
      if index > 0 { output.append(contentsOf: ", ".utf8) }
      JSONText.appendString(parameter.name, to: &output)
      output.append(contentsOf: ": ".utf8)
      let word = words[index]
      switch parameter.kind {
      case .uint16, .uint32, .uint64: ASCII.appendDecimal(word, to: &output)
      case .int32: ASCII.appendDecimal(Int64(bitPattern: word), to: &output)
      case .pointer:
        if word == 0 {
          output.append(contentsOf: "null".utf8)
        } else {
          output.append(contentsOf: #""0x"#.utf8)
          ASCII.appendHex(word, to: &output)
          output.append(UInt8(ascii: "\""))
        }
      }
    }
  }

  private static func appendTimestamp(_ timestamp: TraceTimestamp, to output: inout [UInt8]) {
    switch timestamp {
    case .log(let prefix):
      if let threadID = prefix.threadID {
        output.append(contentsOf: #", "tid": "#.utf8)
        ASCII.appendDecimal(UInt64(threadID), to: &output)
      }
      output.append(contentsOf: #", "sec": "#.utf8)
      ASCII.appendDecimal(prefix.seconds, to: &output)
      output.append(contentsOf: #", "usec": "#.utf8)
      ASCII.appendDecimal(UInt64(prefix.microseconds), to: &output)
      output.append(contentsOf: #", "prefix": "#.utf8)
      JSONText.appendString(prefix.text, to: &output)
    case .simple(let timestampNS, let pid):
      output.append(contentsOf: #", "timestamp_ns": "#.utf8)
      ASCII.appendDecimal(timestampNS, to: &output)
      output.append(contentsOf: #", "pid": "#.utf8)
      ASCII.appendDecimal(UInt64(pid), to: &output)
    }
  }
}
