import VMBusHost

extension ReplayStep {
  /// `seq  event as QEMU prints it  | what changed`, violations marked `!!`.
  package var textLine: String {
    var line = "\(seq)".leftPadded(to: 7) + "  " + event.text
    if !changes.isEmpty {
      line += "  | " + changes.map(\.description).joined(separator: "; ")
    }
    for violation in violations {
      line += "  !! \(violation.rule.rawValue): \(violation.message)"
    }
    return line
  }

  /// `{"seq": S, "event": {...}, "state": {...}}` (plus `violations` when there are some).
  package func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      json.field("seq", seq)
      json.key("event")
      event.writeJSON(into: &json)
      json.key("state")
      state.writeJSON(into: &json)
      json.key("changes")
      json.array { json in for change in changes { json.string(change.description) } }
      if !violations.isEmpty {
        json.key("violations")
        json.array { json in
          for violation in violations {
            json.object { json in
              json.field("rule", violation.rule.rawValue)
              json.field("message", violation.message)
            }
          }
        }
      }
    }
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
