/// The trace file formats this target reads.
package enum TraceFormat: Hashable, Sendable {
  /// QEMU's `log` backend: one text line per trace event.
  case log
  /// QEMU's `simple` backend: a binary file with a header, mapping and event records.
  case simple

  /// The number of leading bytes ``detect(firstBytes:)`` needs to recognize a simple trace.
  package static let detectionLength = 8

  /// Guesses the format from a file's first bytes: ``simple`` when they start with the simple
  /// backend's header event id (eight 0xFF bytes, which no text log starts with), else
  /// ``log``. The magic that follows is the decoder's to check, so a simple trace with a
  /// corrupt magic is reported as one rather than read as a log of unrecognized lines.
  package static func detect(firstBytes: some Collection<UInt8>) -> TraceFormat {
    let headerEventID = [UInt8](repeating: 0xFF, count: 8)
    return firstBytes.starts(with: headerEventID) ? .simple : .log
  }
}
