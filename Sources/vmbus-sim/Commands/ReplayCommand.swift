import ArgumentParser
import Foundation
import VMBusSessions
import VMBusStore

struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Step through a session: each event, as QEMU prints it, and what it changed.",
    discussion: """
      One line per event, from --from through --to (default: all of them). With --json, \
      JSON Lines: {"seq": S, "event": {"name": ..., "args": {...}}, "state": {...}}. With \
      --at SEQ, only that step (the state comes from the nearest snapshot, so this is fast \
      on any session).

      Examples:
        vmbus-sim replay 1
        vmbus-sim replay 1 --from 20 --to 60
        vmbus-sim replay 1 --at 42 --json
      """)

  @Argument(help: "The session id (see `vmbus-sim sessions`).") var session: Int64
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var events: EventRangeOptions
  @Option(help: ArgumentHelp("Show only the step with this seq.", valueName: "seq")) var at: Int?
  @Flag(help: "JSON Lines output.") var json = false
  @Flag(
    help: "Step interactively: next, prev, jump, find by name, channel or GPADL, state, changes.")
  var interactive = false

  func validate() throws {
    if let at {
      guard at >= 1 else { throw ValidationError("--at \(at): seqs start at 1") }
      guard events.from == nil && events.to == nil else {
        throw ValidationError("--at shows one step: give it without --from and --to")
      }
    }
    if interactive && (at != nil || events.from != nil || events.to != nil || json) {
      throw ValidationError("--interactive takes no --at, --from, --to or --json")
    }
  }

  func run() throws {
    try reportingFailures {
      let store = try database.openForReading()
      let replayer = SessionReplayer(store: store, session: SessionID(session))
      if interactive {
        try runInteractive(replayer)
        return
      }
      if let at {
        print(try replayer.step(at: at), json: json)
        return
      }
      try replayer.forEach(events.range) { step in print(step, json: json) }
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
