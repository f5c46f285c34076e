import VMBusHost
import VMBusSim
import VMBusTesting
import VMBusTrace

/// Parses a realistic one-million-line QEMU log (the boot workload's trace events printed in
/// the `TID@SEC.USEC:` dialect, with a few `hv_balloon_*` lines mixed in) held in memory, and
/// reports lines per second for `QEMULogParser.parse(line:lineNumber:)` alone.
enum ParseBenchmark {
  static func run(lines: Int, rounds: Int) {
    for dialect in [LogDialect.threadTimestamp, .plain, .iso8601] {
      let (text, ranges) = log(lines: lines, dialect: dialect)
      report(dialect, text, ranges, rounds: rounds)
    }
  }

  /// The log text and each line's byte range (newline excluded), split ahead of time.
  static func log(lines: Int, dialect: LogDialect) -> ([UInt8], [Range<Int>]) {
    let events = BootWorkload.events(boots: 20).compactMap { event -> TraceEvent? in
      if case .trace(let trace) = event { trace } else { nil }
    }
    let formatter = QEMULogFormatter(
      dialect: dialect, threadID: 4152, vcpuThreadID: 4160, epochSeconds: 1_591_800_412)
    let balloon = Array("hv_balloon_status_report committed 1024 MiB available 512 MiB".utf8)
    var text: [UInt8] = []
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(lines)
    var time: UInt64 = 0
    while ranges.count < lines {
      let start = text.count
      let index = ranges.count
      time += 17 + UInt64(index % 7) * 3
      if index % 100 == 99 {
        formatter.prefix(for: .signalEvent, atMicroseconds: time)?.append(to: &text)
        text += balloon
        text.append(10)
      } else {
        let event = events[index % events.count]
        QEMULogFormatter.appendLine(
          event, prefix: formatter.prefix(for: event, atMicroseconds: time), to: &text)
      }
      ranges.append(start..<(text.count - 1))
    }
    return (text, ranges)
  }

  private static func report(
    _ dialect: LogDialect, _ text: [UInt8], _ ranges: [Range<Int>], rounds: Int
  ) {
    let parser = QEMULogParser(fileName: "bench.log")
    var best = Duration.seconds(1_000_000)
    var counts = (events: 0, skipped: 0, errors: 0)
    for _ in 0..<rounds {
      let clock = ContinuousClock()
      let start = clock.now
      var events = 0
      var skipped = 0
      var errors = 0
      for (index, range) in ranges.enumerated() {
        do {
          switch try parser.parse(line: text[range], lineNumber: index + 1) {
          case .event(let parsed): events += parsed.lineNumber > 0 ? 1 : 0
          case .skipped: skipped += 1
          }
        } catch {
          errors += 1
        }
      }
      best = min(best, clock.now - start)
      counts = (events, skipped, errors)
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    let rate = Double(ranges.count) / seconds
    print(
      "parse (log, \(dialect.rawValue)): \(ranges.count) lines, \(text.count / 1_000_000) MB, "
        + "best of \(rounds): \(EvolveBenchmark.formatted(seconds * 1000)) ms, "
        + "\(EvolveBenchmark.formatted(rate / 1e6)) M lines/s "
        + "(\(counts.events) events, \(counts.skipped) skipped, \(counts.errors) errors)")
  }
}
