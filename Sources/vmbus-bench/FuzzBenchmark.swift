import Foundation
import VMBusHost
import VMBusSim

/// Fuzz runs per second per core and exhaustive states per second, on the Linux boot.
enum FuzzBenchmark {
  static func scenario(_ path: String = "scenarios/linux-boot.yaml") -> Scenario? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return try? ScenarioParser.parse(text, file: path)
  }

  /// A one-worker campaign (mutations, runs, property checks after every event, shrinking
  /// of each new failure) for `seeds` seeds, per host profile, then what
  /// `fuzz --guest linux` runs (kernel restarts, unbinds and busy slots inserted).
  static func runCampaign(seeds: UInt64) -> Figures {
    guard let base = scenario() else {
      print("fuzz: run from the repository root")
      return [:]
    }
    var figures: Figures = [:]
    for profile in HostProfile.allCases {
      let rate = measure(
        "\(profile.rawValue), linux-boot, 1 job",
        FuzzCampaign.Configuration(scenarios: [base], profile: profile, seedCount: seeds))
      figures[
        profile == .qemu
          ? "fuzz_linux_boot_runs_per_s" : "fuzz_linux_boot_\(profile.rawValue)_runs_per_s"] = rate
    }
    figures["fuzz_linux_boot_guest_linux_runs_per_s"] = measure(
      "qemu, linux-boot, --guest linux, 1 job",
      FuzzCampaign.Configuration(scenarios: [base], seedCount: seeds, guestInputs: .linux))
    return figures
  }

  /// Prints one campaign's rates; returns its seeds per wall-clock second.
  private static func measure(_ label: String, _ configuration: FuzzCampaign.Configuration)
    -> Double
  {
    let cpu = clock()
    let report = FuzzCampaign(configuration).run()
    let seconds = Double(clock() - cpu) / Double(CLOCKS_PER_SEC)
    let total = Double(report.runs) + Double(report.shrinkRuns)
    print(
      "fuzz (\(label)): \(report.runs) seeds + \(report.shrinkRuns) shrinking runs, "
        + "\(Int(report.runsPerSecond)) seeds/s wall, \(Int(total / seconds)) runs per CPU second in all, "
        + "\(report.failures.count) distinct failures")
    return report.runsPerSecond
  }

  /// The exhaustive mode on a scenario, to `depth` scheduler steps.
  static func runExplorer(depth: Int) -> Figures {
    var figures: Figures = [:]
    for name in ["linux-boot", "concurrent-opens"] {
      guard let base = scenario("scenarios/\(name).yaml") else {
        print("explore: run from the repository root")
        return figures
      }
      let report = Explorer(scenario: base, depth: depth, stateLimit: 2_000_000).run()
      print(
        "explore (\(name), depth \(depth)): \(report.states) states, \(report.distinctStates) distinct, "
          + "\(Int(report.statesPerSecond)) states/s, \(report.truncated) paths cut")
      // The larger space is the figure the targets use; the Linux boot's is reported too.
      let key =
        name == "linux-boot" ? "explore_linux_boot_states_per_s" : "explore_states_per_s"
      figures[key] = report.statesPerSecond
    }
    return figures
  }
}
