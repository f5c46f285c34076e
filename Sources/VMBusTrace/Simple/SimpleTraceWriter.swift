import VMBusHost

/// Writes a `simple`-backend (version 4) file, buffering up to ``flushThreshold`` bytes.
///
/// The output follows `trace/simple.c` (header, mapping records, then event records) so that
/// QEMU's `scripts/simpletrace.py` can read it with the `hw/hyperv/trace-events` file. Call
/// ``close()`` to learn of write errors; dropping the writer flushes on a best-effort basis.
package struct SimpleTraceWriter: ~Copyable {
  /// Buffered bytes above which a write goes to the file.
  package static let flushThreshold = 64 * 1024

  private var file: FileDescriptor
  private var encoder: SimpleTraceEncoder

  /// Creates or truncates `path` and writes the header and mapping records.
  package init(path: String, pid: UInt32) throws(TraceIOError) {
    file = try FileDescriptor(writingTo: path)
    encoder = SimpleTraceEncoder(pid: pid)
  }

  /// Writes one event record.
  package mutating func write(_ event: TraceEvent, timestampNS: UInt64) throws(TraceIOError) {
    encoder.append(event, timestampNS: timestampNS)
    try flushIfFull()
  }

  /// Writes a trace event or a dropped-events record; returns false for simulator events that
  /// have no simple-trace form.
  @discardableResult
  package mutating func write(_ event: HostEvent, timestampNS: UInt64) throws(TraceIOError) -> Bool
  {
    let written = encoder.append(event, timestampNS: timestampNS)
    try flushIfFull()
    return written
  }

  /// Writes a dropped-events record.
  package mutating func writeDropped(count: UInt64, timestampNS: UInt64) throws(TraceIOError) {
    encoder.appendDropped(count: count, timestampNS: timestampNS)
    try flushIfFull()
  }

  /// Writes the buffered bytes to the file.
  package mutating func flush() throws(TraceIOError) {
    try file.write(encoder.takeBytes())
  }

  /// Flushes and closes the file.
  package mutating func close() throws(TraceIOError) {
    try flush()
    try file.close()
  }

  private mutating func flushIfFull() throws(TraceIOError) {
    if encoder.bytes.count >= Self.flushThreshold { try flush() }
  }

  deinit {
    // Best effort: a caller that wants to see write errors calls close().
    try? file.write(encoder.bytes)
  }
}
