import Foundation
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore
import VMBusTesting
import VMBusTrace

/// End-to-end import of a QEMU log (two parse passes, batched appends, snapshots) against raw
/// SQLite C-API inserts of the same rows (a prepared statement in one transaction).
enum ImportBenchmark {
  static func run(lines: Int) {
    do {
      try measure(lines: lines)
    } catch {
      print("import: \(error)")
    }
  }

  private static func measure(lines: Int) throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-bench-import-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = directory + "/trace.log"
    try write(lines: lines, to: log)

    var rows: [RawRow] = []
    rows.reserveCapacity(lines)
    let parser = QEMULogParser(fileName: log)
    _ = try parser.parseFile(path: log) { parsed in
      guard var row = try? RawRow(.trace(parsed.event)) else { return }
      row.source = TraceImporter.source(of: parsed)
      rows.append(row)
    }
    let raw = try RawSQLite.insert(rows, path: directory + "/raw.sqlite")

    let clock = ContinuousClock()
    let start = clock.now
    let store = try EventStore.open(path: directory + "/import.sqlite")
    let summary = try TraceImporter(path: log, format: .log, strict: false, name: nil).run(
      into: store)
    let imported = clock.now - start

    let rawRate = Double(rows.count) / StoreBenchmark.seconds(raw)
    let importRate = Double(summary.events) / StoreBenchmark.seconds(imported)
    print(
      "import (\(lines) log lines, end to end): raw C-API insert \(StoreBenchmark.formatted(rawRate / 1e6)) M rows/s, "
        + "vmbus-sim import \(StoreBenchmark.formatted(importRate / 1e6)) M rows/s, ratio \(StoreBenchmark.formatted(importRate / rawRate)) (target >= 0.7)"
    )
  }

  /// A realistic log: repeated Linux boot sessions, `TID@SEC.USEC:` prefixes.
  private static func write(lines: Int, to path: String) throws {
    let events = BootWorkload.events(boots: 50).compactMap { event -> TraceEvent? in
      if case .trace(let trace) = event { return trace }
      return nil
    }
    let formatter = QEMULogFormatter(
      dialect: .threadTimestamp, threadID: 4152, vcpuThreadID: 4153, epochSeconds: 1_764_000_000)
    var output: [UInt8] = []
    output.reserveCapacity(lines * 56)
    for index in 0..<lines {
      let event = events[index % events.count]
      QEMULogFormatter.appendLine(
        event, prefix: formatter.prefix(for: event, atMicroseconds: UInt64(index) * 3), to: &output)
    }
    try Data(output).write(to: URL(fileURLWithPath: path))
  }
}
