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
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes().bytes.prefix(15)) == .log)
    #expect(TraceFormat.detect(firstBytes: SimpleTraceBytes(magic: 1).bytes) == .log)
  }
}
