import ArgumentParser
import Foundation
import VMBusSessions
import VMBusStore

struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Step through a session: each event, as QEMU prints it, and what it changed.",
    discussion: """
      Without --to, one line per event. With --json, JSON Lines: {"seq": S, "event": \
      {"name": ..., "args": {...}}, "state": {...}}. With --to SEQ, only that step (the state \
      comes from the nearest snapshot, so this is fast on any session).

      Examples:
        vmbus-sim replay 1
        vmbus-sim replay 1 --to 42 --json
      """)

  @Argument(help: "The session id (see `vmbus-sim sessions`).") var session: Int64
  @OptionGroup var database: DatabaseOptions
  @Option(help: "Show only the step with this seq.") var to: Int?
  @Option(help: "Start at this seq.") var from: Int = 1
  @Flag(help: "JSON Lines output.") var json = false
  @Flag(
    help: "Step interactively: next, prev, jump, find by name, channel or GPADL, state, changes.")
  var interactive = false

  func run() throws {
    try reportingFailures {
      let store = try database.openForReading()
      let replayer = SessionReplayer(store: store, session: SessionID(session))
      if interactive {
        try runInteractive(replayer)
        return
      }
      if let to {
        guard to >= 1 else { throw SessionsError.usage("--to must be at least 1") }
        let step = try replayer.step(at: to)
        print(step, json: json)
        return
      }
      try replayer.forEach(from: max(from, 1)) { step in print(step, json: json) }
    }
  }

  /// Reads commands from standard input (a terminal or a pipe) until `quit` or end of input.
  private func runInteractive(_ replayer: SessionReplayer) throws {
    var stepper = try InteractiveReplay(replayer: replayer)
    emit("session \(session): \(stepper.eventCount) events; h for help")
    while true {
      Swift.print(stepper.prompt, terminator: "")
      guard let line = readLine() else { break }
      let (output, proceed) = stepper.handle(line.trimmingCharacters(in: .whitespaces))
      output.forEach(emit)
      if !proceed { break }
    }
  }

  private func print(_ step: ReplayStep, json: Bool) {
    if json {
      var out = JSONBuilder()
      step.writeJSON(into: &out)
      emit(out.text)
    } else {
      emit(step.textLine)
    }
  }
}
