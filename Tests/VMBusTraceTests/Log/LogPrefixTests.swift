import Testing
import VMBusTrace

@Suite struct LogPrefixTests {
  @Test func textOfEachForm() {
    #expect(
      LogPrefix.threadTimestamp(threadID: 4152, seconds: 1_591_800_412, microseconds: 4512).text
        == "4152@1591800412.004512:")
    #expect(
      LogPrefix.iso8601(seconds: 1_753_123_408, microseconds: 89797).text
        == "2025-07-21T18:43:28.089797Z ")
    #expect(
      LogPrefix.iso8601(seconds: 1_753_123_408, microseconds: nil).text == "2025-07-21T18:43:28Z ")
    #expect(LogPrefix.iso8601(seconds: 0, microseconds: 0).text == "1970-01-01T00:00:00.000000Z ")
  }

  @Test func synthesizedFromVirtualTime() {
    #expect(
      LogPrefix(dialect: .threadTimestamp, microseconds: 3_000_001, threadID: 5)
        == .threadTimestamp(threadID: 5, seconds: 3, microseconds: 1))
    #expect(
      LogPrefix(dialect: .iso8601, microseconds: 3_000_000, threadID: 5)
        == .iso8601(seconds: 3, microseconds: nil))
    #expect(LogPrefix(dialect: .plain, microseconds: 3, threadID: 5) == nil)
  }

  /// Every day from 1999 to 2101 (leap years, century rules) prints and parses back.
  @Test func calendarRoundTrips() throws {
    let parser = QEMULogParser()
    var seconds: Int64 = 915_148_800  // 1999-01-01
    while seconds < 4_133_980_800 {  // 2101-01-01
      let prefix = LogPrefix.iso8601(seconds: seconds + 86_399, microseconds: nil)
      let line = prefix.text + "vmbus_signal_event "
      guard case .event(let parsed) = try parser.parse(line: line, lineNumber: 1) else {
        Issue.record("not parsed: \(line)")
        return
      }
      #expect(parsed.prefix == prefix)
      seconds += 86_400
    }
  }

  @Test func leapDays() throws {
    let parser = QEMULogParser()
    for (date, valid) in [
      ("2000-02-29", true), ("2024-02-29", true), ("1900-02-29", false), ("2023-02-29", false),
      ("2023-04-31", false), ("2023-13-01", false),
    ] {
      let result = try? parser.parse(line: date + "T00:00:00Z vmbus_signal_event ", lineNumber: 1)
      #expect((result != nil) == valid, "\(date)")
    }
  }
}
