import Foundation
import Testing
import VMBusTrace

@Suite struct LogLineSplitterTests {
  let text = Array("first\n\nthird line\r\nlast without newline".utf8)
  let expected = ["first", "", "third line\r", "last without newline"]

  func lines(chunkSize: Int, maxLineLength: Int = 1000) -> [LogLine] {
    var splitter = LogLineSplitter(maxLineLength: maxLineLength)
    var lines: [LogLine] = []
    var index = 0
    while index < text.count {
      splitter.append(text[index..<min(index + chunkSize, text.count)])
      index += chunkSize
      while let line = splitter.nextLine() { lines.append(line) }
    }
    splitter.finish()
    while let line = splitter.nextLine() { lines.append(line) }
    return lines
  }

  @Test(arguments: 1...12)
  func splitsTheSameWhateverTheChunks(chunkSize: Int) {
    let lines = lines(chunkSize: chunkSize)
    #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == expected)
    #expect(lines.map(\.number) == [1, 2, 3, 4])
    #expect(lines.allSatisfy { !$0.isTruncated })
    #expect(lines.map(\.isUnterminated) == [false, false, false, true])
  }

  @Test(arguments: 1...12)
  func cutsLongLinesAndDropsTheirRest(chunkSize: Int) {
    let lines = lines(chunkSize: chunkSize, maxLineLength: 6)
    #expect(
      lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["first", "", "third ", "last w"])
    #expect(lines.map(\.isTruncated) == [false, false, true, true])
    #expect(lines.map(\.number) == [1, 2, 3, 4])
  }

  @Test func emptyInputHasNoLines() {
    var splitter = LogLineSplitter()
    splitter.finish()
    #expect(splitter.nextLine() == nil)
  }

  @Test func readsAFileThroughASmallBuffer() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-trace-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data(text).write(to: URL(fileURLWithPath: path))
    var reader = try LogLineReader(path: path, bufferSize: 3)
    var lines: [String] = []
    while let line = try reader.next() { lines.append(String(decoding: line.bytes, as: UTF8.self)) }
    #expect(lines == expected)
  }

  @Test func missingFileIsAnIOError() {
    #expect(throws: TraceIOError(path: "/nonexistent/trace.log", operation: .open, errno: 2)) {
      _ = try LogLineReader(path: "/nonexistent/trace.log")
    }
    let error = TraceIOError(path: "/nonexistent/trace.log", operation: .open, errno: 2)
    #expect(
      error.description == "/nonexistent/trace.log: error: cannot open: No such file or directory")
  }

  @Test func parsesAWholeFile() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-trace-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var log: [UInt8] = []
    for index in 0..<5000 {
      let sample = TraceSample.all[index % TraceSample.all.count]
      log += Array(
        "\(index)@1591800412.\(String(100_000 + index % 900_000))\(":")\(sample.body)\n".utf8)
      if index % 100 == 0 { log += Array("hv_balloon_state_change ENABLED\n".utf8) }
    }
    try Data(log).write(to: URL(fileURLWithPath: path))
    let parser = QEMULogParser(fileName: "big.log")
    var count = 0
    let summary = try parser.parseFile(path: path) { _ in count += 1 }
    #expect(summary.eventCount == 5000)
    #expect(count == 5000)
    #expect(summary.otherTracePointCount == 50)
    #expect(summary.errorCount == 0)
  }
}
