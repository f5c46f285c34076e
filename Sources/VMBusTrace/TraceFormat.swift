/// The trace file formats this target reads.
public enum TraceFormat: Hashable, Sendable {
  /// QEMU's `log` backend: one text line per trace event.
  case log
  /// QEMU's `simple` backend: a binary file with a header, mapping and event records.
  case simple

  /// The number of leading bytes ``detect(firstBytes:)`` needs to recognize a simple trace.
  public static let detectionLength = 16

  /// Guesses the format from a file's first bytes: ``simple`` when they are the simple
  /// backend's header (eight 0xFF bytes, then the magic in little-endian order), else ``log``.
  public static func detect(firstBytes: some Collection<UInt8>) -> TraceFormat {
    var expected: [UInt8] = []
    for word in [SimpleTraceLayout.headerEventID, SimpleTraceLayout.magic] {
      for shift in stride(from: 0, to: 64, by: 8) {
        expected.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
      }
    }
    return firstBytes.starts(with: expected) ? .simple : .log
  }
}
