import Foundation
import VMBusHost
import VMBusSim
import VMBusTesting

/// Folds a realistic event mix through `HostState.apply` and reports events per second.
enum EvolveBenchmark {
  /// Prints both figures; returns them for `--json`.
  static func run(boots: Int, rounds: Int) -> Figures {
    let simulated = BootWorkload.events(boots: boots)
    let bare = simulated.filter { if case .trace = $0 { true } else { false } }
    return [
      "evolve_events_per_s": report(
        "evolve (simulated session, payloads and simulator events)", simulated, rounds: rounds),
      "evolve_bare_events_per_s": report(
        "evolve (bare QEMU trace, inference on)", bare, rounds: rounds),
    ]
  }

  /// The simulated session's rate alone, printed under `label`: measured again beside a
  /// figure that is compared with it.
  static func simulatedRate(boots: Int, rounds: Int, label: String) -> Double {
    report("evolve (\(label))", BootWorkload.events(boots: boots), rounds: rounds)
  }

  /// Prints the best of `rounds` folds of `events`; returns its events per second.
  private static func report(_ label: String, _ events: [HostEvent], rounds: Int) -> Double {
    var best = Duration.seconds(1_000_000)
    var checksum: UInt64 = 0
    for _ in 0..<rounds {
      let clock = ContinuousClock()
      let start = clock.now
      var state = HostState()
      var violations = 0
      for event in events { violations &+= state.apply(event).count }
      let elapsed = clock.now - start
      best = min(best, elapsed)
      checksum &+= UInt64(state.gpadls.count + state.rxQueue.count + violations)
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
    let rate = Double(events.count) / seconds
    print(
      "\(label): \(events.count) events, best of \(rounds): \(formatted(seconds * 1000)) ms, "
        + "\(formatted(rate / 1e6)) M events/s (checksum \(checksum))")
    return rate
  }

  static func formatted(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
  }
}
