/// Reads a text file line by line through a fixed-size buffer (POSIX `open`/`read`), so a
/// file of any size is read in bounded memory.
///
/// ```swift
/// var reader = try LogLineReader(path: "qemu.log")
/// while let line = try reader.next() { ... }
/// ```
package struct LogLineReader: ~Copyable {
  private var file: FileDescriptor
  private var splitter: LogLineSplitter
  private var chunk: [UInt8]
  private var atEnd = false

  /// Opens `path`; `bufferSize` bytes are read at a time.
  package init(
    path: String, bufferSize: Int = 64 * 1024,
    maxLineLength: Int = LogLineSplitter.defaultMaxLineLength
  ) throws(TraceIOError) {
    file = try FileDescriptor(readingFrom: path)
    splitter = LogLineSplitter(maxLineLength: maxLineLength)
    chunk = [UInt8](repeating: 0, count: max(1, bufferSize))
  }

  /// The next line, or nil at end of file.
  package mutating func next() throws(TraceIOError) -> LogLine? {
    while true {
      if let line = splitter.nextLine() { return line }
      if atEnd { return nil }
      let count = try file.read(into: &chunk)
      if count == 0 {
        atEnd = true
        splitter.finish()
      } else {
        splitter.append(chunk[..<count])
      }
    }
  }
}
