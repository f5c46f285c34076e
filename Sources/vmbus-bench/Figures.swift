import Foundation

/// Named figures of one `vmbus-bench` run, for `--json`.
typealias Figures = [String: Double]

extension Figures {
  /// One JSON object on one line, keys sorted, numbers rounded to four decimals.
  static func json(_ figures: Figures) -> String {
    let fields = figures.keys.sorted().map { key in
      let value = figures[key] ?? 0
      let number = value.isFinite ? "\((value * 10_000).rounded() / 10_000)" : "null"
      return "\"\(key)\": \(number)"
    }
    return "{" + fields.joined(separator: ", ") + "}"
  }
}
