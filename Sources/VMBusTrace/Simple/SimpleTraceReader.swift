/// Reads a `simple`-backend file through a fixed-size buffer (POSIX `open`/`read`).
///
/// ```swift
/// var reader = try SimpleTraceReader(path: "trace-4152")
/// while let record = try reader.next() { ... }
/// ```
package struct SimpleTraceReader: ~Copyable {
  private var file: FileDescriptor
  private var decoder: SimpleTraceDecoder
  private var chunk: [UInt8]
  private var atEnd = false

  /// Opens `path`; `bufferSize` bytes are read at a time. Diagnostics name `displayName`
  /// (default: the path), e.g. the original name of a spooled copy.
  package init(
    path: String, displayName: String? = nil, bufferSize: Int = 64 * 1024
  ) throws(SimpleTraceError) {
    let name = displayName ?? path
    do {
      file = try FileDescriptor(readingFrom: path)
    } catch {
      throw SimpleTraceError(file: name, offset: 0, kind: .io(error))
    }
    decoder = SimpleTraceDecoder(fileName: name)
    chunk = [UInt8](repeating: 0, count: max(1, bufferSize))
  }

  /// Non-VMBus event records skipped so far.
  package var skippedEventCount: Int { decoder.skippedEventCount }

  /// Skipped non-VMBus events by name, sorted by name.
  package var skippedEvents: [SkippedTraceEvents] { decoder.skippedEvents }

  /// The first non-VMBus event record skipped, with its offset.
  package var firstSkipped: (name: String, offset: UInt64)? { decoder.firstSkipped }

  /// The next VMBus event or dropped-events record, or nil at end of file.
  package mutating func next() throws(SimpleTraceError) -> SimpleTraceRecord? {
    while true {
      if let record = try decoder.next() { return record }
      if atEnd { return nil }
      let count: Int
      do {
        count = try file.read(into: &chunk)
      } catch {
        throw SimpleTraceError(file: decoder.fileName, offset: decoder.offset, kind: .io(error))
      }
      if count == 0 {
        atEnd = true
        decoder.finish()
      } else {
        decoder.append(chunk[..<count])
      }
    }
  }
}
