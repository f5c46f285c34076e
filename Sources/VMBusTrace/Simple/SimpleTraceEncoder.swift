import VMBusHost
import VMBusWire

/// Builds a `simple`-backend (version 4) byte stream in memory: the header and one mapping
/// record per VMBus trace point, then event records.
///
/// Event ids are the trace points' positions in `TracePoint.allCases`, as QEMU assigns ids in
/// registration order; readers resolve them through the mapping records.
package struct SimpleTraceEncoder: Hashable, Sendable {
  /// QEMU's process id, written into every record.
  package var pid: UInt32
  /// The bytes encoded and not yet taken.
  package private(set) var bytes: [UInt8] = []

  /// Starts a stream: header, then a mapping record for each of the 17 points.
  package init(pid: UInt32) {
    self.pid = pid
    bytes.appendLittleEndian(SimpleTraceLayout.headerEventID)
    bytes.appendLittleEndian(SimpleTraceLayout.magic)
    bytes.appendLittleEndian(SimpleTraceLayout.version)
    for point in TracePoint.allCases {
      appendMapping(id: Self.eventID(of: point), name: point.name)
    }
  }

  /// The event id this encoder gives `point`.
  package static func eventID(of point: TracePoint) -> UInt64 {
    UInt64(point.ordinal)
  }

  /// Appends a mapping record (type 0).
  package mutating func appendMapping(id: UInt64, name: String) {
    let name = Array(name.utf8)
    bytes.appendLittleEndian(SimpleTraceLayout.mappingRecordType)
    bytes.appendLittleEndian(id)
    bytes.appendLittleEndian(UInt32(truncatingIfNeeded: name.count))
    bytes.append(contentsOf: name)
  }

  /// Appends an event record with each argument as an 8-byte word.
  package mutating func append(_ event: TraceEvent, timestampNS: UInt64) {
    appendRecord(id: Self.eventID(of: event.point), timestampNS: timestampNS, words: event.words)
  }

  /// Appends a dropped-events record.
  package mutating func appendDropped(count: UInt64, timestampNS: UInt64) {
    appendRecord(id: SimpleTraceLayout.droppedEventID, timestampNS: timestampNS, words: [count])
  }

  /// Appends a trace event or a `sim_traced_events_dropped` gap; other simulator events have
  /// no simple-trace form and are left out (returns false).
  @discardableResult
  package mutating func append(_ event: HostEvent, timestampNS: UInt64) -> Bool {
    switch event {
    case .trace(let trace):
      append(trace, timestampNS: timestampNS)
    case .simulator(.tracedEventsDropped(let count)):
      appendDropped(count: count, timestampNS: timestampNS)
    case .simulator:
      return false
    }
    return true
  }

  /// Returns the encoded bytes and empties the buffer.
  package mutating func takeBytes() -> [UInt8] {
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes
  }

  private mutating func appendRecord(id: UInt64, timestampNS: UInt64, words: [UInt64]) {
    bytes.appendLittleEndian(SimpleTraceLayout.eventRecordType)
    bytes.appendLittleEndian(id)
    bytes.appendLittleEndian(timestampNS)
    bytes.appendLittleEndian(UInt32(SimpleTraceLayout.eventLength(argumentCount: words.count)))
    bytes.appendLittleEndian(pid)
    for word in words { bytes.appendLittleEndian(word) }
  }
}
