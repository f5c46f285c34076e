import VMBusHost

/// Writes a session's messages as a Mermaid `sequenceDiagram`, which GitHub renders in
/// Markdown: one arrow per message, guest on the left and host on the right.
///
/// Arrows: `->>` handled or delivered, `-)` still pending, `--x` busy (the sender retries),
/// `-x` dropped or failed. Busy, dropped and failed messages, violations and host faults sit
/// in coloured `rect` blocks; machine, device and data-plane facts are notes.
package struct MermaidExporter: Sendable {
  /// The first note, e.g. `session 1 linux-boot (simulated, seed 0), events 1-130`.
  package var title: String?

  package init(title: String? = nil) {
    self.title = title
  }

  /// The diagram's text, ending in a newline.
  package func render(_ diagram: SessionDiagram) -> String {
    var lines = [
      "sequenceDiagram",
      "    participant G as Guest",
      "    participant H as Host (QEMU)",
    ]
    if let title { lines.append("    Note over G,H: \(Self.escape(title))") }
    for row in diagram.rows {
      lines += self.lines(for: row)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Colours of the `rect` blocks.
  enum Colour {
    static let busy = "rgb(255, 236, 179)"
    static let dropped = "rgb(224, 224, 224)"
    static let error = "rgb(255, 205, 210)"
    static let migration = "rgb(187, 222, 251)"
  }

  private func lines(for row: DiagramRow) -> [String] {
    var body: [String] = []
    let colour: String?
    switch row.content {
    case .message(let message):
      let (from, to) = message.direction == .guestToHost ? ("G", "H") : ("H", "G")
      var text = message.label
      if message.fate != .handled && message.fate != .delivered { text += " · " + message.outcome }
      text += " " + Self.seqText(row.seqs)
      body.append("\(from)\(Self.arrow(message.fate))\(to): \(Self.escape(text))")
      switch message.fate {
      case .busy: colour = Colour.busy
      case .ignored, .flushed, .rejected: colour = Colour.dropped
      case .failed: colour = Colour.error
      default: colour = row.violations.isEmpty ? nil : Colour.error
      }
    case .note(let note):
      let text = Self.escape(note.text + " " + Self.seqText(row.seqs))
      switch note.kind {
      case .environment, .gap:
        body.append("Note over G,H: \(text)")
        colour = row.violations.isEmpty ? nil : Colour.error
      case .hostFault:
        body.append("Note over G,H: \(text)")
        colour = Colour.error
      case .migration:
        body.append("Note over G,H: \(text)")
        colour = Colour.migration
      case .dataPlane:
        body.append("Note right of H: \(text)")
        colour = row.violations.isEmpty ? nil : Colour.error
      case .stray:
        body.append("Note right of H: \(text)")
        colour = Colour.error
      }
    }
    for item in row.violations {
      let violation = item.violation
      body.append(
        "Note right of H: "
          + Self.escape(
            "violation at seq \(item.seq): \(violation.rule.rawValue): \(violation.message)"))
    }
    guard let colour else { return body.map { "    " + $0 } }
    return ["    rect \(colour)"] + body.map { "        " + $0 } + ["    end"]
  }

  static func arrow(_ fate: MessageFate) -> String {
    switch fate {
    case .handled, .delivered: "->>"
    case .pending: "-)"
    case .busy: "--x"
    case .ignored, .flushed, .rejected, .failed: "-x"
    }
  }

  /// `(seq 8)` or `(seq 8-11)`.
  static func seqText(_ seqs: [Int]) -> String {
    guard let first = seqs.first, let last = seqs.last else { return "" }
    return first == last ? "(seq \(first))" : "(seq \(first)-\(last))"
  }

  /// Mermaid's entity codes for the characters that end or re-interpret a message's text.
  package static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "#": out += "#35;"
      case ";": out += "#59;"
      case "<": out += "#lt;"
      case ">": out += "#gt;"
      case "\n", "\r": out += " "
      default: out.append(character)
      }
    }
    return out
  }
}
