import Foundation
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore
import VMBusTesting

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension SimulationBenchmark {
  /// Runs of the scenario stored one session each (as `vmbus-sim run` stores them), then one
  /// long simulated run stored as one session, each against the store's full append rate for
  /// as many events in one session. Best of `rounds`, each on new files; the measurements
  /// alternate so that other load on the machine weighs on both sides alike.
  static func runPersisted(
    path: String = "scenarios/linux-boot.yaml", runs: Int = 2_000, cycles: Int = 1_000,
    rounds: Int = 3
  ) {
    do {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        return print("sim+store: cannot read \(path) (run from the repository root)")
      }
      let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("vmbus-bench-sim-\(getpid())").path
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let files = Files(directory: directory)
      try measureRuns(path: path, text: text, runs: runs, rounds: rounds, files: files)
      try measureLongRun(cycles: cycles, rounds: rounds, files: files)
    } catch {
      print("sim+store: \(error)")
    }
  }

  private static func measureRuns(
    path: String, text: String, runs: Int, rounds: Int, files: Files
  ) throws {
    let prepared = PreparedScenario(try ScenarioParser.parse(text, file: path))
    var eventCount = 0
    var whole = Cost.worst
    var storing = Cost.worst
    var bulk = Cost.worst
    var bulkEvents: [HostEvent] = []
    for round in 0..<rounds {
      let store = try EventStore.open(path: files.path("runs-\(round)"))
      var stored = Cost.zero
      let started = Stopwatch()
      for seed in 0..<UInt64(runs) {
        let run = Simulation.run(prepared, seed: seed, transcript: false)
        if round == 0 { eventCount += run.events.count }
        let storeStarted = Stopwatch()
        _ = try ScenarioRunner.store(run, scenarioText: text, source: path, into: store)
        stored = stored + storeStarted.elapsed
      }
      whole = whole.best(started.elapsed)
      storing = storing.best(stored)
      if round == 0 { bulkEvents = longWorkload(eventCount) }
      bulk = bulk.best(try appendInOneSession(bulkEvents, path: files.path("bulk-\(round)")))
    }
    print(
      "sim+store (\(path), \(runs) runs of \(eventCount / max(runs, 1)) events, one session "
        + "each, as `vmbus-sim run` stores them; best of \(rounds)):")
    print(
      "  simulate and store: \(formatted(Double(runs) / whole.wall)) runs/s = "
        + "\(whole.rates(eventCount))")
    print("  store alone:        \(storing.rates(eventCount))")
    print(
      "  full append rate, \(eventCount) events in one session: \(bulk.rates(eventCount))"
    )
    print(
      "  ratio to the full append rate: \(whole.ratio(to: bulk)) simulate and store, "
        + "\(storing.ratio(to: bulk)) store alone")
  }

  /// One simulated run of many events (the Linux boot with netvsc opened and closed `cycles`
  /// times), stored as `vmbus-sim run` stores it: the per-event persistence rate.
  private static func measureLongRun(cycles: Int, rounds: Int, files: Files) throws {
    let text = longBootScenario(cycles: cycles)
    let run = Simulation.run(
      try ScenarioParser.parse(text, file: "long-boot.yaml"), seed: 0, transcript: false)
    guard run.outcome.kind == .passed else {
      return print("sim+store long run: \(run.outcome.kind.rawValue): \(run.outcome.message)")
    }
    let events = run.events.count
    let bulkEvents = longWorkload(events)
    var storing = Cost.worst
    var bulk = Cost.worst
    for round in 0..<rounds {
      let store = try EventStore.open(path: files.path("long-\(round)"))
      let started = Stopwatch()
      _ = try ScenarioRunner.store(run, scenarioText: text, source: nil, into: store)
      storing = storing.best(started.elapsed)
      bulk = bulk.best(try appendInOneSession(bulkEvents, path: files.path("long-bulk-\(round)")))
    }
    print(
      "sim+store, one long run (linux-boot with netvsc opened and closed \(cycles) times: "
        + "\(events) events, one session; best of \(rounds)):")
    print("  store: \(storing.rates(events))")
    print("  full append rate, \(events) events in one session: \(bulk.rates(events))")
    print("  ratio to the full append rate: \(storing.ratio(to: bulk))")
  }

  /// The full append rate's workload: repeated boots of one machine, `count` events, the
  /// realistic mix (concatenating simulated runs would realize their devices again).
  private static func longWorkload(_ count: Int) -> [HostEvent] {
    Array(BootWorkload.events(boots: count / 100 + 1).prefix(count))
  }

  /// Appends `events` as one session of a new store and returns the time taken.
  private static func appendInOneSession(_ events: [HostEvent], path: String) throws -> Cost {
    let store = try EventStore.open(path: path)
    let started = Stopwatch()
    var writer = try store.beginSession(
      SessionInfo(name: "bulk", kind: .simulated, createdAt: Date(timeIntervalSince1970: 0)))
    try writer.append(contentsOf: events)
    try writer.finish()
    return started.elapsed
  }

  private static func longBootScenario(cycles: Int) -> String {
    let cycle = """
            - linux.open: {device: netvsc, ring_pages: 256}
            - linux.close: {device: netvsc}

      """
    return """
      description: linux-boot with netvsc opened and closed \(cycles) times
      expect: passed
      limits: {max_steps: 100000000, max_time: 1000000s}
      host:
        profile: qemu
        vcpus: 2
        devices:
          - class: netvsc
          - class: storvsc
      actors:
        - name: boot
          steps:
            - linux.connect
            - linux.request_offers
            - linux.open: {device: storvsc, ring_pages: 64, target_vp: 1}
      \(String(repeating: cycle, count: cycles))      - linux.close: {device: storvsc}
            - linux.unload: {mode: kexec}

      """
  }

  private static func formatted(_ value: Double) -> String { StoreBenchmark.formatted(value) }
}

/// Database files in one temporary directory.
private struct Files {
  var directory: String

  func path(_ name: String) -> String { "\(directory)/\(name).sqlite" }
}

/// Wall-clock and process CPU seconds of a measurement (the CPU figure is steadier when
/// other work shares the machine).
private struct Cost {
  var wall: Double
  var cpu: Double

  static let zero = Cost(wall: 0, cpu: 0)
  static let worst = Cost(wall: .infinity, cpu: .infinity)

  static func + (lhs: Cost, rhs: Cost) -> Cost {
    Cost(wall: lhs.wall + rhs.wall, cpu: lhs.cpu + rhs.cpu)
  }

  func best(_ other: Cost) -> Cost { Cost(wall: min(wall, other.wall), cpu: min(cpu, other.cpu)) }

  /// "wall M events/s (per CPU second)".
  func rates(_ events: Int) -> String {
    let formatted = StoreBenchmark.formatted
    return "\(formatted(Double(events) / wall / 1e6)) M events/s "
      + "(\(formatted(Double(events) / cpu / 1e6)) per CPU second)"
  }

  /// This rate over `other`'s for the same events (the inverse ratio of times).
  func ratio(to other: Cost) -> String {
    let formatted = StoreBenchmark.formatted
    return "\(formatted(other.wall / wall)) (\(formatted(other.cpu / cpu)) CPU)"
  }
}

/// Started at creation; `elapsed` is the wall-clock and process CPU time since.
private struct Stopwatch {
  private let wall = ContinuousClock.now
  private let cpu = Stopwatch.processCPUSeconds()

  var elapsed: Cost {
    Cost(
      wall: StoreBenchmark.seconds(ContinuousClock.now - wall),
      cpu: Stopwatch.processCPUSeconds() - cpu)
  }

  private static func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
