import VMBusHost

/// One complete (`ph: X`) slice of a trace-event file.
struct TraceSlice: Sendable {
  /// A flow arrow's end bound to the slice (`bind_id`).
  enum Flow: Sendable {
    /// The flow starts here (`flow_out`).
    case out(Int)
    /// The flow arrives here and goes on (`flow_in` and `flow_out`).
    case step(Int)
  }

  var name: String
  var category: String
  var tid: Int
  /// Nanoseconds.
  var start: Int64
  /// Nanoseconds.
  var end: Int64
  var args: [(String, String)] = []
  var flow: Flow?
}

/// Writes the Chrome trace-event JSON object format, one event per line: times in
/// microseconds with nanosecond decimals.
struct TraceEventWriter {
  private var bytes: [UInt8] = Array(#"{"displayTimeUnit": "ns", "traceEvents": ["#.utf8)
  private var count = 0
  static let pid = 1

  /// Names the process and the tracks (by tid), and orders the tracks by tid.
  mutating func metadata(title: String, tracks: [Int: String]) {
    event(#""name": "process_name", "ph": "M", "pid": 1, "args": {"name": "# + quoted(title) + "}")
    for (tid, name) in tracks.sorted(by: { $0.key < $1.key }) {
      event(
        #""name": "thread_name", "ph": "M", "pid": 1, "tid": \#(tid), "args": {"name": "#
          + quoted(name) + "}")
      event(
        #""name": "thread_sort_index", "ph": "M", "pid": 1, "tid": \#(tid), "#
          + #""args": {"sort_index": \#(tid)}"#)
    }
  }

  mutating func slice(_ slice: TraceSlice) {
    var text =
      #""name": "# + quoted(slice.name) + #", "cat": "# + quoted(slice.category)
      + #", "ph": "X", "pid": 1, "tid": \#(slice.tid), "ts": "# + micros(slice.start)
      + #", "dur": "# + micros(slice.end - slice.start)
    switch slice.flow {
    case .out(let id): text += #", "bind_id": \#(id), "flow_out": true"#
    case .step(let id): text += #", "bind_id": \#(id), "flow_in": true, "flow_out": true"#
    case nil: break
    }
    text += ", " + args(slice.args)
    event(text)
  }

  mutating func instant(
    name: String, category: String, tid: Int, at time: Int64, args: [(String, String)]
  ) {
    event(
      #""name": "# + quoted(name) + #", "cat": "# + quoted(category)
        + #", "ph": "i", "s": "t", "pid": 1, "tid": \#(tid), "ts": "# + micros(time) + ", "
        + self.args(args))
  }

  mutating func globalInstant(name: String, at time: Int64, args: [(String, String)]) {
    event(
      #""name": "# + quoted(name) + #", "cat": "host_fault", "ph": "i", "s": "g", "pid": 1, "#
        + #""tid": 3, "ts": "# + micros(time) + ", " + self.args(args))
  }

  mutating func counter(name: String, at time: Int64, value: Int) {
    event(
      #""name": "# + quoted(name) + #", "ph": "C", "pid": 1, "ts": "# + micros(time)
        + #", "args": {"length": \#(value)}"#)
  }

  mutating func finish() -> [UInt8] {
    bytes.append(contentsOf: "\n]}\n".utf8)
    return bytes
  }

  private mutating func event(_ body: String) {
    bytes.append(contentsOf: (count == 0 ? "\n{" : ",\n{").utf8)
    bytes.append(contentsOf: body.utf8)
    bytes.append(UInt8(ascii: "}"))
    count += 1
  }

  private func args(_ pairs: [(String, String)]) -> String {
    #""args": {"# + pairs.map { quoted($0.0) + ": " + quoted($0.1) }.joined(separator: ", ") + "}"
  }

  private func quoted(_ text: String) -> String {
    var out: [UInt8] = []
    JSONText.appendString(text, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Nanoseconds as microseconds with three decimals.
  private func micros(_ nanos: Int64) -> String {
    let value = max(nanos, 0)
    let fraction = value % 1_000
    let digits = "\(fraction)"
    return "\(value / 1_000)." + String(repeating: "0", count: 3 - digits.count) + digits
  }
}
