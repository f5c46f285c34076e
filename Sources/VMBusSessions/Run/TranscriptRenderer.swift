import VMBusHost
import VMBusSim

/// The readable transcript of a run: who sent what, with the trace events under each line.
package enum TranscriptRenderer {
  package static func lines(_ run: SimulationRun) -> [String] {
    var lines: [String] = []
    for entry in run.transcript {
      let who: String
      switch entry.direction {
      case .guestToHost: who = "\(entry.actor ?? "guest") → host"
      case .hostToGuest: who = "host → guest"
      case .host: who = "host"
      case .environment: who = entry.actor.map { "\($0) (env)" } ?? "env"
      }
      lines.append("\(time(entry.time))  \(who.padded(to: 22)) \(entry.text)")
      for index in entry.events where index < run.events.count {
        lines.append(
          "              " + "#\(index + 1)".padded(to: 6) + " " + run.events[index].text)
      }
    }
    return lines
  }

  /// Virtual time, right-aligned in 12 columns: microseconds with three decimals below a
  /// second, then seconds with six decimals (nine when the nanoseconds need them), so that a
  /// run past its first second (a `sleep: 1s`) keeps the column.
  static func time(_ duration: VirtualDuration) -> String {
    let nanos = duration.nanoseconds
    let text: String
    if nanos < 1_000_000_000 {
      text = "\(nanos / 1_000).\(String(nanos % 1_000).leftZeroPadded(to: 3))µs"
    } else if nanos % 1_000 == 0 {
      let micros = nanos % 1_000_000_000 / 1_000
      text = "\(nanos / 1_000_000_000).\(String(micros).leftZeroPadded(to: 6))s"
    } else {
      text = "\(nanos / 1_000_000_000).\(String(nanos % 1_000_000_000).leftZeroPadded(to: 9))s"
    }
    return text.count >= 12 ? text : String(repeating: " ", count: 12 - text.count) + text
  }
}

extension String {
  func padded(to width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  func leftZeroPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
