import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct SimpleTraceDecoderTests {
  /// Header and mappings in a non-QEMU id order, a non-VMBus event with a string argument, a
  /// mapping record mid-file, a dropped-events record.
  static func sampleFile() -> SimpleTraceBytes {
    var file = SimpleTraceBytes()
    file.mapping(7, "vmbus_open_channel")
    file.mapping(3, "hv_balloon_state_change")
    file.mapping(9, "vmbus_signal_event")
    file.event(7, timestamp: 100, [1, 0xE1E10, 0])
    file.eventWithString(3, number: 42, string: "ENABLED")
    file.event(9, timestamp: 200, [])
    file.mapping(12, "vmbus_msg_cb")
    file.event(12, timestamp: 300, [0xFFFF_FFFF_FFFF_FFF5])
    file.dropped(17)
    file.event(3, timestamp: 400, [5, 6])  // skipped by length, whatever its arguments
    return file
  }

  /// The records of ``sampleFile()``, at the offsets where its records 4, 6, 8 and 9 start.
  static var expectedRecords: [SimpleTraceRecord] {
    let starts = sampleFile().boundaries.map(UInt64.init)
    return [
      .init(
        payload: .event(.openChannel(chanID: ChannelID(1), gpadlID: GpadlID(0xE1E10), targetVP: 0)),
        timestampNS: 100, pid: 4152, offset: starts[3]),
      .init(payload: .event(.signalEvent), timestampNS: 200, pid: 4152, offset: starts[5]),
      .init(payload: .event(.msgCb(status: -11)), timestampNS: 300, pid: 4152, offset: starts[7]),
      .init(payload: .dropped(count: 17), timestampNS: 3000, pid: 4152, offset: starts[8]),
    ]
  }

  @Test func sampleOffsets() {
    // Header 24; mappings 20 + name; event records 32 + arguments.
    #expect(Self.sampleFile().boundaries == [24, 62, 105, 143, 199, 250, 282, 314, 354, 394, 442])
  }

  @Test func readsEventsMappingsDropsAndSkipsOthers() throws {
    let (records, skipped) = try SimpleTraceDecoder.decode(Self.sampleFile().bytes)
    #expect(records == Self.expectedRecords)
    #expect(skipped == [SkippedTraceEvents(name: "hv_balloon_state_change", count: 2)])
    #expect(records[2].hostEvent == .trace(.msgCb(status: -11)))
    #expect(records[3].hostEvent == .simulator(.tracedEventsDropped(count: 17)))
  }

  @Test(arguments: [1, 2, 3, 5, 7, 8, 13, 24, 31, 64, 1000])
  func streamingGivesTheSameRecordsWhateverTheChunks(chunkSize: Int) throws {
    let bytes = Self.sampleFile().bytes
    var decoder = SimpleTraceDecoder()
    var records: [SimpleTraceRecord] = []
    var index = 0
    while index < bytes.count {
      decoder.append(bytes[index..<min(index + chunkSize, bytes.count)])
      index += chunkSize
      while let record = try decoder.next() { records.append(record) }
    }
    decoder.finish()
    while let record = try decoder.next() { records.append(record) }
    #expect(records == Self.expectedRecords)
    #expect(decoder.skippedEventCount == 2)
    #expect(decoder.firstSkipped?.name == "hv_balloon_state_change")
    #expect(decoder.firstSkipped?.offset == UInt64(Self.sampleFile().boundaries[4]))
  }

  /// Cut at every offset: a record boundary reads the records before it; anywhere else is a
  /// truncation error at the start of the cut record. Never a trap.
  @Test func truncationAtEveryOffset() throws {
    let file = Self.sampleFile()
    let bytes = file.bytes
    let full = try SimpleTraceDecoder.decode(bytes).records
    for cut in 0..<bytes.count {
      let prefix = Array(bytes[..<cut])
      if file.boundaries.contains(cut) {
        let records = try SimpleTraceDecoder.decode(prefix).records
        #expect(records == full.filter { $0.offset < UInt64(cut) }, "cut at \(cut)")
        continue
      }
      do {
        _ = try SimpleTraceDecoder.decode(prefix)
        Issue.record("cut at \(cut) decoded")
      } catch {
        guard case .truncated(_, let needed, let available) = error.kind else {
          Issue.record("cut at \(cut): \(error)")
          continue
        }
        let recordStart = file.boundaries.last { $0 <= cut } ?? 0
        #expect(error.offset == UInt64(cut < 24 ? 0 : recordStart), "cut at \(cut)")
        #expect(available < needed, "cut at \(cut)")
      }
    }
  }

  func decodeError(_ file: SimpleTraceBytes) -> SimpleTraceError? {
    do {
      _ = try SimpleTraceDecoder.decode(file.bytes, fileName: "trace-4152")
      Issue.record("decoded without error")
      return nil
    } catch {
      return error
    }
  }

  @Test func emptyFile() {
    #expect(
      throws: SimpleTraceError(
        file: "t", offset: 0, kind: .truncated(part: .header, needed: 24, available: 0))
    ) {
      try SimpleTraceDecoder.decode([UInt8](), fileName: "t")
    }
  }

  @Test func badHeaderEventID() {
    #expect(
      decodeError(SimpleTraceBytes(headerID: 0))?.description
        == "trace-4152: offset 0: error: not a simpletrace file: header event id 0x0, expected 0xffffffffffffffff"
    )
  }

  @Test func badMagic() {
    #expect(
      decodeError(SimpleTraceBytes(magic: 0xDEAD_BEEF))?.description
        == "trace-4152: offset 8: error: bad magic 0xdeadbeef, expected 0xf2b177cb0aa429b4")
  }

  @Test func unsupportedVersion() {
    #expect(
      decodeError(SimpleTraceBytes(version: 3))?.description
        == "trace-4152: offset 16: error: unsupported format version 3, expected 4")
  }

  @Test func lengthInconsistentWithTheSignature() {
    var file = SimpleTraceBytes()
    file.mapping(7, "vmbus_open_channel")
    file.event(7, [1, 2])
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 62: error: vmbus_open_channel record length 40, expected 48")
  }

  @Test func droppedRecordWithTheWrongLength() {
    var file = SimpleTraceBytes()
    file.event(0xFFFF_FFFF_FFFF_FFFE, [1, 2])
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 24: error: dropped record length 40, expected 32")
  }

  @Test func eventIDWithoutMapping() {
    var file = SimpleTraceBytes()
    file.mapping(7, "vmbus_open_channel")
    file.event(8, [1, 2, 3])
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 62: error: event id 8 has no mapping record")
  }

  @Test func unknownRecordType() {
    var file = SimpleTraceBytes()
    file.raw(SimpleTraceBytes.u64(2) + SimpleTraceBytes.u64(0))
    #expect(decodeError(file)?.description == "trace-4152: offset 24: error: unknown record type 2")
  }

  @Test func recordShorterThanItsHeader() {
    var file = SimpleTraceBytes()
    file.mapping(3, "hv_balloon_map_slot")
    file.event(3, [], length: 8)
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 63: error: event record length 8 is shorter than the 24-byte record header"
    )
  }

  @Test func nameTooLong() {
    var file = SimpleTraceBytes()
    file.raw(SimpleTraceBytes.u64(0) + SimpleTraceBytes.u64(1) + SimpleTraceBytes.u32(5000))
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 24: error: mapping record name length 5000 exceeds 1024")
  }

  @Test func argumentThatDoesNotFitItsType() {
    var file = SimpleTraceBytes()
    file.mapping(1, "vmbus_gpadl_header")
    file.event(1, [5, 70000])
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 62: error: vmbus_gpadl_header: num_gfns = 70000 does not fit uint16_t"
    )
  }

  @Test func skippedRecordCutShort() {
    var file = SimpleTraceBytes()
    file.mapping(3, "hv_balloon_state_change")
    file.raw(
      SimpleTraceBytes.u64(1) + SimpleTraceBytes.u64(3) + SimpleTraceBytes.u64(0)
        + SimpleTraceBytes.u32(4000)
        + SimpleTraceBytes.u32(1) + [1, 2, 3])
    #expect(
      decodeError(file)?.description
        == "trace-4152: offset 67: error: truncated event record: needs 4008 bytes, 35 available")
  }

  @Test func errorsRepeatRatherThanSkipAhead() {
    var decoder = SimpleTraceDecoder()
    decoder.append(SimpleTraceBytes(version: 3).bytes)
    decoder.finish()
    var errors: [SimpleTraceError] = []
    for _ in 0..<2 {
      do {
        _ = try decoder.next()
      } catch {
        errors.append(error)
      }
    }
    #expect(errors.count == 2)
    #expect(errors.first == errors.last)
  }
}
