import ArgumentParser
import VMBusSessions

/// `--from`/`--to`: the events of a session that `replay`, `export` and `report` cover.
struct EventRangeOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Start at this seq (default: the first event).", valueName: "seq"))
  var from: Int?
  @Option(help: ArgumentHelp("End at this seq (default: the last event).", valueName: "seq"))
  var to: Int?

  func validate() throws {
    if let from, from < 1 { throw ValidationError("--from \(from): seqs start at 1") }
    if let to, to < 1 { throw ValidationError("--to \(to): seqs start at 1") }
    if let from, let to, to < from {
      throw ValidationError("--to \(to) is before --from \(from)")
    }
  }

  var range: EventRange { EventRange(first: from ?? 1, last: to) }
}
