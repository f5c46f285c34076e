import ArgumentParser
import VMBusSessions
import VMBusSim

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a guest scenario against the host under the deterministic scheduler.",
    discussion: """
      Prints the transcript (guest to host, host to guest, the trace events under each) and \
      a summary, and stores the run as a session that `replay` steps and `verify` re-runs. \
      The same scenario, seed and build give the same events byte for byte. Exit status 0 \
      only when the scenario passed; 1 for any other outcome (a guest_error too: the \
      scenario did not pass); 65 for a broken scenario file.

      A run that breaks a fuzz property reports its failure signature (property, root cause, \
      trace point, bus state), and a run that took an input QEMU cannot receive \
      (device_reset, device_added) says its outcome rests on it.

      Example:
        vmbus-sim run scenarios/linux-boot.yaml --seed 7
      """)

  @Argument(help: "The scenario file (YAML; see docs/scenarios.md).") var scenario: String
  @OptionGroup var database: DatabaseOptions
  @Option(help: "The scheduler's seed.") var seed: UInt64 = 0
  @Flag(
    help: """
      Print only {"session", "seed", "events", "outcome", "at_seq", "message", "root_cause", \
      "signature", "beyond_qemu"}; signature is an object (property, root_cause, trace_point, \
      bus_state, awaiting, text) or null when no property is broken.
      """)
  var json = false
  @Flag(help: "Print the summary without the transcript.") var quiet = false

  func run() throws {
    var passed = false
    try reportingFailures {
      let runner = ScenarioRunner(path: scenario, seed: seed)
      let (result, session) = try runner.run(openingStore: database.open)
      passed = result.outcome.kind == .passed
      let signature = PropertyChecker.firstBrokenProperty(result)?.signature
      let beyond = result.inputsBeyondQEMU
      if json {
        var out = JSONBuilder()
        out.object { out in
          out.field("session", session.rawValue)
          out.field("seed", seed)
          out.field("events", result.events.count)
          out.field("outcome", result.outcome.kind.rawValue)
          out.field("at_seq", result.outcome.atSeq)
          out.field("message", result.outcome.message)
          out.field("root_cause", result.outcome.rootCause?.rawValue)
          out.key("signature")
          out.signature(signature)
          out.key("beyond_qemu")
          out.array { out in beyond.forEach { out.string($0.rawValue) } }
        }
        emit(out.text)
        return
      }
      if !quiet { TranscriptRenderer.lines(result).forEach(emit) }
      let expected =
        result.outcome.satisfies(result.scenario.expected)
        ? "as expected" : "expected \(result.scenario.expected.kind.rawValue)"
      emit("")
      emit(
        "session \(session.rawValue)  scenario \(result.scenario.name)  seed \(seed)  events \(result.events.count)"
      )
      if let signature {
        emit("signature: \(signature)")
      } else if let cause = result.outcome.rootCause {
        emit("root cause: \(cause)")
      }
      if !beyond.isEmpty {
        emit(
          "note: the outcome rests on \(beyond.map(\.rawValue).joined(separator: ", ")), an input QEMU cannot receive"
        )
      }
      emit("outcome: \(result.outcome) (\(expected))")
    }
    if !passed { throw ExitCode(1) }
  }
}
