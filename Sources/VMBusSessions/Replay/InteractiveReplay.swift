import VMBusHost
import VMBusStore
import VMBusWire

/// The terminal stepper behind `replay --interactive`: a cursor over a stored session that
/// takes one command line at a time and answers with lines to print.
///
/// Commands: `n`/`next` [count], `p`/`prev` [count], `j`/`jump` SEQ, `f`/`find` NAME | channel N
/// | gpadl N (next event matching), `s`/`state`, `c`/`changes`, `h`/`help`, `q`/`quit`.
package struct InteractiveReplay {
  package let replayer: SessionReplayer
  package let eventCount: Int
  /// The seq shown; 0 before the first event.
  package private(set) var seq = 0
  private var current: ReplayStep?

  package init(replayer: SessionReplayer) throws(SessionsError) {
    self.replayer = replayer
    do {
      eventCount = try replayer.store.session(replayer.session).eventCount
    } catch {
      throw .store(error)
    }
  }

  package var prompt: String { "[\(seq)/\(eventCount)]> " }

  package static let help = [
    "n, next [K]        step forward (K events)",
    "p, prev [K]        step back",
    "j, jump SEQ        go to event SEQ",
    "f, find NAME       next event whose name contains NAME (e.g. open_channel)",
    "f channel N        next event about channel N",
    "f gpadl N          next event about GPADL N",
    "s, state           the full host state here",
    "c, changes         what this event changed",
    "q, quit",
  ]

  /// Handles one command line; returns the lines to print and whether to go on.
  package mutating func handle(_ line: String) -> (output: [String], proceed: Bool) {
    let words = line.split(separator: " ").map(String.init)
    guard let command = words.first else { return (showing(seq + 1), true) }
    let argument = words.dropFirst().first
    switch command {
    case "n", "next": return (showing(seq + (argument.flatMap(Int.init) ?? 1)), true)
    case "p", "prev", "previous": return (showing(seq - (argument.flatMap(Int.init) ?? 1)), true)
    case "j", "jump", "g", "goto":
      guard let target = argument.flatMap(Int.init) else { return (["usage: jump SEQ"], true) }
      return (showing(target), true)
    case "f", "find": return (find(Array(words.dropFirst())), true)
    case "s", "state": return (stateLines(), true)
    case "c", "changes":
      guard let current else { return (["(before the first event)"], true) }
      return (current.changes.isEmpty ? ["(no change)"] : current.changes.map(\.description), true)
    case "h", "help", "?": return (Self.help, true)
    case "q", "quit", "exit": return ([], false)
    default: return (["unknown command '\(command)'; h for help"], true)
    }
  }

  private mutating func showing(_ target: Int) -> [String] {
    let clamped = min(max(target, 0), eventCount)
    guard clamped > 0 else {
      seq = 0
      current = nil
      return ["(before the first event)"]
    }
    do {
      let step = try replayer.step(at: clamped)
      seq = clamped
      current = step
      return [step.textLine]
    } catch {
      return ["error: \(error)"]
    }
  }

  private mutating func find(_ words: [String]) -> [String] {
    guard let first = words.first else { return ["usage: find NAME | channel N | gpadl N"] }
    let matches: (HostEvent) -> Bool
    if (first == "channel" || first == "gpadl"),
      let number = words.dropFirst().first.flatMap(UInt32.init)
    {
      matches = { event in Self.refers(event, to: first, number) }
    } else {
      matches = { $0.name.contains(first) }
    }
    var found: Int?
    do {
      try replayer.store.events(session: replayer.session, from: seq + 1) { stored in
        if matches(stored.event) {
          found = stored.seq
          throw FindDone()
        }
      }
    } catch is FindDone {
    } catch {
      return ["error: \(error)"]
    }
    guard let found else { return ["no later event matches"] }
    return showing(found)
  }

  private struct FindDone: Error {}

  /// Whether a trace event names channel or GPADL `number` among its arguments.
  static func refers(_ event: HostEvent, to kind: String, _ number: UInt32) -> Bool {
    guard case .trace(let trace) = event else { return false }
    let wanted = kind == "channel" ? "chan_id" : "gpadl_id"
    return zip(trace.point.parameters, trace.words).contains {
      $0.name == wanted && $1 == UInt64(number)
    }
  }

  private func stateLines() -> [String] {
    let state = current?.state ?? HostState()
    var lines = [
      "bus \(state.bus)  version \(state.version.rawValue == 0 ? "none" : state.version.description)"
        + "  in flight \(state.messageInFlight)  rx queue \(state.rxQueue.count)"
        + "  target vp \(state.targetVP == HostState.noVP ? "none" : String(state.targetVP))"
        + (state.fault.map { "  FAULT \($0)" } ?? "")
    ]
    for channel in state.channels.sorted(by: { $0.id < $1.id }) {
      lines.append(
        "  channel \(channel.id)  offer \(channel.offer)  \(channel.state)"
          + (channel.state.request.map { "  gpadl \($0.gpadlID) vp \($0.targetVP)" } ?? ""))
    }
    for gpadl in state.gpadls.sorted(by: { $0.id < $1.id }) {
      lines.append(
        "  gpadl \(gpadl.id)  \(gpadl.state)  pages \(gpadl.seenGfns.map(String.init) ?? "?")/\(gpadl.numGfns)"
          + "  refs \(gpadl.refcount)")
    }
    return lines
  }
}
