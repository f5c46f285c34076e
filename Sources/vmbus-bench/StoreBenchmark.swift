import Foundation
import GRDBSQLite
import VMBusHost
import VMBusSim
import VMBusStore
import VMBusTesting

/// The event store against SQLite's C API on the same rows: (a) appends, (b) a full read
/// (with the fold, through the store), (c) `state(at:)` latency on a large session.
enum StoreBenchmark {
  static func run(eventCount: Int, rounds: Int, lookups: Int) {
    do {
      try measure(eventCount: eventCount, rounds: rounds, lookups: lookups)
    } catch {
      print("store benchmark failed: \(error)")
    }
  }

  private static func measure(eventCount: Int, rounds: Int, lookups: Int) throws {
    let perBoot = 145
    let events = Array(BootWorkload.events(boots: eventCount / perBoot + 1).prefix(eventCount))
    let rows = try events.map(RawRow.init)
    let sims = events.filter { if case .simulator = $0 { true } else { false } }.count
    print("store: \(events.count) events (\(sims) simulator events), best of \(rounds)")
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-bench-store-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    // (a) appends.
    var rawInsert = Duration.seconds(1_000_000)
    var storeAppend = Duration.seconds(1_000_000)
    var kept: (path: String, session: SessionID)?
    for round in 0..<rounds {
      let rawPath = directory.appendingPathComponent("raw-\(round).sqlite").path
      rawInsert = min(rawInsert, try RawSQLite.insert(rows, path: rawPath))
      remove(rawPath)
      let storePath = directory.appendingPathComponent("store-\(round).sqlite").path
      let (elapsed, session) = try timed { () throws(StoreError) -> SessionID in
        let store = try EventStore.open(path: storePath)
        var writer = try store.beginSession(
          SessionInfo(name: "bench", kind: .simulated, createdAt: Date(timeIntervalSince1970: 0)))
        try writer.append(contentsOf: events)
        return try writer.finish().id
      }
      storeAppend = min(storeAppend, elapsed)
      if let kept { remove(kept.path) }
      kept = (storePath, session)
    }
    report("(a) append", events.count, raw: rawInsert, store: storeAppend, target: 0.7)

    // (b) a full scan: raw reads every column; the store decodes, and the caller folds.
    guard let (path, session) = kept else { return }
    let store = try EventStore.openReadOnly(path: path)
    var rawScan = Duration.seconds(1_000_000)
    var storeScan = Duration.seconds(1_000_000)
    var final = HostState()
    for _ in 0..<rounds {
      rawScan = min(rawScan, try RawSQLite.scan(path: path, session: session.rawValue))
      let (elapsed, state) = try timed { () throws -> HostState in
        var state = HostState()
        try store.events(session: session) { stored in _ = state.apply(stored.event) }
        return state
      }
      storeScan = min(storeScan, elapsed)
      final = state
    }
    report("(b) read", events.count, raw: rawScan, store: storeScan, target: 0.5)
    let expected = try store.session(session).finalStateHash
    print("    folded state hash \(final.digest.hex), stored \(expected ?? "none")")

    // (c) state(at:) at pseudo-random positions, and at the worst case (K - 1 folds).
    var generator = SplitMix64(seed: 42)
    var latencies: [Double] = []
    for _ in 0..<lookups {
      let seq = Int(generator.next() % UInt64(events.count)) + 1
      let (elapsed, _) = try timed { () throws(StoreError) in
        try store.state(session: session, at: seq)
      }
      latencies.append(milliseconds(elapsed))
    }
    let worst = events.count / 1024 * 1024 - 1
    let (worstElapsed, _) = try timed { () throws(StoreError) in
      try store.state(session: session, at: worst)
    }
    latencies.sort()
    let mean = latencies.reduce(0, +) / Double(max(latencies.count, 1))
    print(
      "(c) state(at:) over \(events.count) events, \(lookups) lookups: "
        + "mean \(formatted(mean)) ms, median \(formatted(latencies[latencies.count / 2])) ms, "
        + "max \(formatted(latencies.last ?? 0)) ms; at seq \(worst) (1023 folds): "
        + "\(formatted(milliseconds(worstElapsed))) ms")
  }

  private static func report(
    _ label: String, _ count: Int, raw: Duration, store: Duration, target: Double
  ) {
    let ratio = seconds(raw) / seconds(store)
    print(
      "\(label): raw C API \(formatted(milliseconds(raw))) ms "
        + "(\(formatted(Double(count) / seconds(raw) / 1e6)) M rows/s), "
        + "store \(formatted(milliseconds(store))) ms "
        + "(\(formatted(Double(count) / seconds(store) / 1e6)) M events/s); "
        + "ratio raw/store \(formatted(ratio)) (target >= \(target))")
  }

  private static func timed<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (Duration, T) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    return (clock.now - start, value)
  }

  private static func remove(_ path: String) {
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: path + suffix)
    }
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }

  static func formatted(_ value: Double) -> String { EvolveBenchmark.formatted(value) }
}
