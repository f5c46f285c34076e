import VMBusHost

/// Decodes a `simple`-backend byte stream as it arrives, holding at most one record.
///
/// Feed chunks with ``append(_:)`` and drain ``next()`` until it returns nil; call
/// ``finish()`` at end of input so that a cut-off record is reported. Mapping records are
/// honoured wherever they appear. Events that are not one of the 17 `vmbus_*` points are
/// skipped by their length field (their signatures are unknown here) and counted.
package struct SimpleTraceDecoder: Sendable {
  private enum Mapping: Sendable {
    case vmbus(TracePoint, argumentCount: Int)
    case other(String)
  }

  /// The file name that diagnostics start with.
  package var fileName: String
  private var buffer: [UInt8] = []
  /// Index in `buffer` of the first unconsumed byte.
  private var start = 0
  /// File offset of `buffer[0]`.
  private var bufferOffset: UInt64 = 0
  private var headerRead = false
  private var finished = false
  /// A skipped record still being passed over: its offset, size and the bytes left.
  private var skipOffset: UInt64 = 0
  private var skipTotal: UInt64 = 0
  private var skipRemaining: UInt64 = 0
  private var mappings: [UInt64: Mapping] = [:]
  private var skippedByName: [String: Int] = [:]
  /// Non-VMBus event records skipped so far.
  package private(set) var skippedEventCount = 0
  /// The first non-VMBus event record skipped: its event's name and its offset, for a
  /// diagnostic when such records are not allowed.
  package private(set) var firstSkipped: (name: String, offset: UInt64)?

  /// Creates a decoder whose diagnostics name `fileName`.
  package init(fileName: String = "<input>") {
    self.fileName = fileName
  }

  /// Decodes a whole file held in memory.
  package static func decode(
    _ bytes: some Collection<UInt8>, fileName: String = "<input>"
  ) throws(SimpleTraceError) -> (records: [SimpleTraceRecord], skipped: [SkippedTraceEvents]) {
    var decoder = SimpleTraceDecoder(fileName: fileName)
    decoder.append(bytes)
    decoder.finish()
    var records: [SimpleTraceRecord] = []
    while let record = try decoder.next() { records.append(record) }
    return (records, decoder.skippedEvents)
  }

  /// Skipped non-VMBus events by name, sorted by name.
  package var skippedEvents: [SkippedTraceEvents] {
    skippedByName.map { SkippedTraceEvents(name: $0.key, count: $0.value) }
      .sorted { $0.name < $1.name }
  }

  /// The file offset of the next unconsumed byte.
  package var offset: UInt64 { bufferOffset + UInt64(start) }

  /// Adds the next chunk of input.
  package mutating func append(_ bytes: some Collection<UInt8>) {
    if start > 0 {
      buffer.removeSubrange(..<start)
      bufferOffset += UInt64(start)
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// Marks the end of input: from now on a partial record is an error.
  package mutating func finish() {
    finished = true
  }

  private var available: Int { buffer.count - start }

  /// The next VMBus event or dropped-events record; nil when more input is needed or, after
  /// ``finish()``, at the end.
  package mutating func next() throws(SimpleTraceError) -> SimpleTraceRecord? {
    while true {
      if skipRemaining > 0 {
        let step = min(UInt64(available), skipRemaining)
        start += Int(step)
        skipRemaining -= step
        guard skipRemaining == 0 else {
          guard finished else { return nil }
          throw error(
            at: skipOffset,
            .truncated(
              part: .eventRecord, needed: skipTotal, available: skipTotal - skipRemaining))
        }
      }
      if !headerRead {
        guard try has(SimpleTraceLayout.headerLength, for: .header) else { return nil }
        try readHeader()
      }
      guard available > 0 else { return nil }
      guard try has(8, for: .recordType) else { return nil }
      switch buffer.littleEndianUInt64(at: start) {
      case SimpleTraceLayout.mappingRecordType:
        guard try readMapping() else { return nil }
      case SimpleTraceLayout.eventRecordType:
        switch try readEvent() {
        case .needMore: return nil
        case .skipped: continue
        case .record(let record): return record
        }
      case let type:
        throw error(at: offset, .unknownRecordType(type))
      }
    }
  }

  /// Whether `count` bytes are buffered; at end of input a shortfall is an error.
  private func has(_ count: Int, for part: SimpleTraceError.Part) throws(SimpleTraceError) -> Bool {
    if available >= count { return true }
    guard finished else { return false }
    throw error(
      at: offset, .truncated(part: part, needed: UInt64(count), available: UInt64(available)))
  }

  private mutating func readHeader() throws(SimpleTraceError) {
    let id = buffer.littleEndianUInt64(at: start)
    guard id == SimpleTraceLayout.headerEventID else {
      throw error(at: offset, .notSimpleTrace(headerEventID: id))
    }
    let magic = buffer.littleEndianUInt64(at: start + 8)
    guard magic == SimpleTraceLayout.magic else {
      throw error(at: offset + 8, .badMagic(found: magic))
    }
    let version = buffer.littleEndianUInt64(at: start + 16)
    guard version == SimpleTraceLayout.version else {
      throw error(at: offset + 16, .unsupportedVersion(found: version))
    }
    start += SimpleTraceLayout.headerLength
    headerRead = true
  }

  /// Type 0: `event_id u64, name_len u32, name`. False when more input is needed.
  private mutating func readMapping() throws(SimpleTraceError) -> Bool {
    guard try has(20, for: .mappingRecord) else { return false }
    let id = buffer.littleEndianUInt64(at: start + 8)
    let nameLength = buffer.littleEndianUInt32(at: start + 16)
    guard nameLength <= SimpleTraceLayout.maxNameLength else {
      throw error(at: offset, .nameTooLong(length: nameLength))
    }
    let total = 20 + Int(nameLength)
    guard try has(total, for: .mappingRecord) else { return false }
    let name = String(decoding: buffer[(start + 20)..<(start + total)], as: UTF8.self)
    if let point = TracePoint(name: name) {
      mappings[id] = .vmbus(point, argumentCount: point.parameters.count)
    } else {
      mappings[id] = .other(name)
    }
    start += total
    return true
  }

  private enum EventStep {
    case needMore
    case skipped
    case record(SimpleTraceRecord)
  }

  /// Type 1: `event_id u64, timestamp_ns u64, length u32, pid u32, arguments`.
  private mutating func readEvent() throws(SimpleTraceError) -> EventStep {
    let recordOffset = offset
    let headerEnd = 8 + SimpleTraceLayout.eventHeaderLength
    guard try has(headerEnd, for: .eventRecord) else { return .needMore }
    let id = buffer.littleEndianUInt64(at: start + 8)
    let timestamp = buffer.littleEndianUInt64(at: start + 16)
    let length = buffer.littleEndianUInt32(at: start + 24)
    let pid = buffer.littleEndianUInt32(at: start + 28)
    guard length >= SimpleTraceLayout.eventHeaderLength else {
      throw error(at: recordOffset, .recordTooShort(length: length))
    }
    let expected: UInt32
    let name: String
    let point: TracePoint?
    if id == SimpleTraceLayout.droppedEventID {
      (expected, name, point) = (
        UInt32(SimpleTraceLayout.eventLength(argumentCount: 1)), "dropped", nil
      )
    } else {
      switch mappings[id] {
      case nil:
        throw error(at: recordOffset, .unmappedEventID(id))
      case .other(let otherName):
        // Unknown signature: pass over the arguments by the length field, streaming.
        if skippedEventCount == 0 { firstSkipped = (otherName, recordOffset) }
        skippedEventCount += 1
        skippedByName[otherName, default: 0] += 1
        start += headerEnd
        skipOffset = recordOffset
        skipTotal = 8 + UInt64(length)
        skipRemaining = UInt64(length) - UInt64(SimpleTraceLayout.eventHeaderLength)
        return .skipped
      case .vmbus(let vmbusPoint, let argumentCount):
        (expected, name, point) = (
          UInt32(SimpleTraceLayout.eventLength(argumentCount: argumentCount)), vmbusPoint.name,
          vmbusPoint
        )
      }
    }
    guard length == expected else {
      throw error(at: recordOffset, .lengthMismatch(name: name, expected: expected, found: length))
    }
    let total = 8 + Int(length)
    guard try has(total, for: .eventRecord) else { return .needMore }
    let argumentCount = (Int(length) - SimpleTraceLayout.eventHeaderLength) / 8
    var words: [UInt64] = []
    words.reserveCapacity(argumentCount)
    for index in 0..<argumentCount {
      words.append(buffer.littleEndianUInt64(at: start + headerEnd + 8 * index))
    }
    let payload: SimpleTraceRecord.Payload
    if let point {
      do {
        payload = .event(try TraceEvent(point: point, words: words))
      } catch {
        throw self.error(at: recordOffset, .invalidArguments(error))
      }
    } else {
      payload = .dropped(count: words.first ?? 0)
    }
    start += total
    return .record(
      SimpleTraceRecord(payload: payload, timestampNS: timestamp, pid: pid, offset: recordOffset))
  }

  private func error(at offset: UInt64, _ kind: SimpleTraceError.Kind) -> SimpleTraceError {
    SimpleTraceError(file: fileName, offset: offset, kind: kind)
  }
}
