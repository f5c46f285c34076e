import Foundation
import VMBusHost
import VMBusSessions
import VMBusSim
import VMBusStore

/// Simulated runs per second of a scenario (default: the bundled Linux boot), without
/// persistence: the scheduler, guest model and reducer only.
enum SimulationBenchmark {
  /// Prints runs per second and events per run; returns them for `--json`.
  static func run(path: String = "scenarios/linux-boot.yaml", seconds: Double = 3) -> Figures {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      let scenario = try? ScenarioParser.parse(text, file: path)
    else {
      print("sim: cannot read or parse \(path) (run from the repository root)")
      return [:]
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
    return [
      "sim_linux_boot_runs_per_s": Double(runs) / secondsTaken,
      "events_per_linux_boot_run": Double(events) / Double(max(runs, 1)),
    ]
  }
}
