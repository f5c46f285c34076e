import Foundation
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore

/// Simulated runs per second of a scenario (default: the bundled Linux boot), without
/// persistence: the scheduler, guest model and reducer only.
enum SimulationBenchmark {
  static func run(path: String = "scenarios/linux-boot.yaml", seconds: Double = 3) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      let scenario = try? ScenarioParser.parse(text, file: path)
    else {
      print("sim: cannot read or parse \(path) (run from the repository root)")
      return
    }
    let prepared = PreparedScenario(scenario)
    let clock = ContinuousClock()
    let start = clock.now
    var runs = 0
    var events = 0
    var seed: UInt64 = 0
    while clock.now - start < .milliseconds(Int(seconds * 1000)) {
      let result = Simulation.run(prepared, seed: seed, transcript: false)
      events += result.events.count
      runs += 1
      seed &+= 1
    }
    let elapsed = clock.now - start
    let secondsTaken =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
      "sim (\(path), no persistence, 1 core): \(runs) runs in \(EvolveBenchmark.formatted(secondsTaken)) s, "
        + "\(EvolveBenchmark.formatted(Double(runs) / secondsTaken)) runs/s, "
        + "\(events / max(runs, 1)) events per run")
  }
}

extension SimulationBenchmark {
  /// Runs of the scenario stored one session each (as `vmbus-sim run` stores them), against
  /// the store's full append rate for the same events in one session, in the same process.
  static func runPersisted(path: String = "scenarios/linux-boot.yaml", runs: Int = 2_000) {
    do {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        return print("sim+store: cannot read \(path) (run from the repository root)")
      }
      let scenario = try ScenarioParser.parse(text, file: path)
      let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("vmbus-bench-sim-\(getpid())").path
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let store = try EventStore.open(path: directory + "/runs.sqlite")
      let prepared = PreparedScenario(scenario)
      let clock = ContinuousClock()
      var events: [HostEvent] = []
      let start = clock.now
      for seed in 0..<UInt64(runs) {
        let run = Simulation.run(prepared, seed: seed, transcript: false)
        events += run.events
        _ = try ScenarioRunner.store(run, scenarioText: text, source: path, into: store)
      }
      let persisted = clock.now - start
      // The full append rate: one long session of the same size and event mix (repeated
      // boots of one machine; concatenating the runs would realize their devices again).
      let bulkEvents = Array(
        BootWorkload.events(boots: events.count / 100 + 1).prefix(events.count))
      let bulk = try EventStore.open(path: directory + "/bulk.sqlite")
      let appendStart = clock.now
      var writer = try bulk.beginSession(
        SessionInfo(name: "bulk", kind: .simulated, createdAt: Date()))
      try writer.append(contentsOf: bulkEvents)
      try writer.finish()
      let appended = clock.now - appendStart
      let runRate = Double(runs) / StoreBenchmark.seconds(persisted)
      let eventRate = Double(events.count) / StoreBenchmark.seconds(persisted)
      let appendRate = Double(events.count) / StoreBenchmark.seconds(appended)
      print(
        "sim+store (\(path), \(runs) runs, one session each): \(Int(runRate)) runs/s, "
          + "\(StoreBenchmark.formatted(eventRate / 1e6)) M events/s; the store's full append rate "
          + "for the same events: \(StoreBenchmark.formatted(appendRate / 1e6)) M events/s "
          + "(ratio \(StoreBenchmark.formatted(eventRate / appendRate)))")
    } catch {
      print("sim+store: \(error)")
    }
  }
}
