import Foundation
import VMBusSessions

/// `import`'s status line on a terminal: events read while checking, then events stored out
/// of the total with the rate and the time left. Redrawn at most four times a second, and
/// wiped before the summary is printed.
final class ImportStatusLine {
  private let clock = ContinuousClock()
  private let start: ContinuousClock.Instant
  private var lastDrawn: ContinuousClock.Instant?
  private var storingSince: (instant: ContinuousClock.Instant, committed: Int)?

  init() { start = clock.now }

  /// A status line only when standard error is a terminal and no JSON was asked for.
  static func forTerminal(json: Bool) -> ImportStatusLine? {
    json || isatty(2) == 0 ? nil : ImportStatusLine()
  }

  func update(_ progress: ImportProgress) {
    let now = clock.now
    // The first report of the storing pass is always drawn: the phase changed.
    let phaseChanged: Bool
    if case .storing = progress { phaseChanged = storingSince == nil } else { phaseChanged = false }
    if !phaseChanged, let lastDrawn, now - lastDrawn < .milliseconds(250) { return }
    lastDrawn = now
    switch progress {
    case .checking(let read):
      draw("checking: \(read) events read")
    case .storing(let committed, let total):
      let since = storingSince ?? (now, committed)
      storingSince = since
      let seconds = Self.seconds(now - since.instant)
      let rate = seconds > 0 ? Double(committed - since.committed) / seconds : 0
      let left = rate > 0 ? " ~\(Int((Double(total - committed) / rate).rounded(.up))) s left" : ""
      draw("storing: \(committed)/\(total) events  \(Int(rate))/s\(left)")
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
