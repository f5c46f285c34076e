import Foundation
import VMBusSessions

/// The status line of long work on a terminal (`import`, `export`, `report`): what is being
/// done, done/total, the rate and the time left. Redrawn at most four times a second (a new
/// phase at once), and wiped before the command prints its result.
final class StatusLine {
  private let clock = ContinuousClock()
  private var lastDrawn: ContinuousClock.Instant?
  private var phase: (name: String, since: ContinuousClock.Instant, done: Int)?

  /// A status line only when standard error is a terminal and no JSON was asked for.
  static func forTerminal(json: Bool = false) -> StatusLine? {
    json || isatty(2) == 0 ? nil : StatusLine()
  }

  /// `name: done/total events  rate/s ~N s left`, or `name: done events read` without a total.
  func update(_ name: String, done: Int, total: Int?) {
    let now = clock.now
    let phaseChanged = phase?.name != name
    if !phaseChanged, let lastDrawn, now - lastDrawn < .milliseconds(250) { return }
    lastDrawn = now
    if phaseChanged { phase = (name, now, done) }
    guard let total, let phase else { return draw("\(name): \(done) events read") }
    let seconds = Self.seconds(now - phase.since)
    let rate = seconds > 0 ? Double(done - phase.done) / seconds : 0
    let left = rate > 0 ? " ~\(Int((Double(total - done) / rate).rounded(.up))) s left" : ""
    draw("\(name): \(done)/\(total) events  \(Int(rate))/s\(left)")
  }

  /// Progress of a pass over a session's events.
  func update(_ name: String, _ progress: EventProgress) {
    update(name, done: progress.done, total: progress.total)
  }

  /// Progress of `import`: events read while checking, then events stored.
  func update(_ progress: ImportProgress) {
    switch progress {
    case .checking(let read): update("checking", done: read, total: nil)
    case .storing(let committed, let total): update("storing", done: committed, total: total)
    }
  }

  /// Clears the line.
  func finish() {
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }

  private func draw(_ text: String) {
    FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
  }

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
