import Testing
import VMBusTrace

@Suite struct TraceFormatTests {
  @Test func detectsTheSimpleHeader() {
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes().bytes) == .simple)
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes().bytes.prefix(16)) == .simple)
  }

  @Test func anythingElseIsLog() {
    #expect(
      TraceFormat.detect(firstBytes: Array("4152@1591800412.004512:vmbus_signal_event \n".utf8))
        == .log)
    #expect(TraceFormat.detect(firstBytes: [UInt8]()) == .log)
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes().bytes.prefix(7)) == .log)
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes(headerID: 1).bytes) == .log)
  }

  /// A corrupt magic is the decoder's to report, not a reason to read binary as a log.
  @Test func theHeaderEventIDAloneMeansSimple() {
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes(magic: 1).bytes) == .simple)
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes().bytes.prefix(8)) == .simple)
  }
}
