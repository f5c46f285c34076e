import Testing
import VMBusTesting

@testable import VMBusSim

/// Random mutations of a valid file: the parser returns a scenario or errors, never traps.
@Suite("Scenario parser fuzz")
struct ScenarioParserFuzzTests {
  /// SplitMix64, so every run mutates the same way.
  struct Generator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// YAML punctuation and awkward text to insert.
  static let fragments: [String] = [
    ":", ": ", "-", "- ", " ", "  ", "\n", "\t", "{", "}", "[", "]", ",", "\"", "'", "#", "&a ",
    "*a", "!!str ", "|", ">", "?", "<<: ", "---\n", "...", "%", "@", "`", "~", "\u{1}", "\r",
    "ü", "e\u{301}", "\u{2028}", "0x", "0xFFFFFFFFFFFFFFFFF", "99999999999999999999", "-1",
    "null", "true", "1.5", "nan", "relid(", ")", "(", "relid(netvsc, 70000)", "ring_gpadl()",
    "\\u0000", "\"\\n\"",
  ]

  /// Words of the format, swapped for one another.
  static let words: [String] = [
    "name", "description", "expect", "host", "faults", "limits", "actors", "steps", "profile",
    "vcpus", "devices", "class", "class_id", "instance", "channels", "open_fails", "linux.open",
    "linux.close", "linux.connect", "send", "wait", "sleep", "slot_busy", "machine_reset",
    "device_added", "device_reset", "corrupt_ring", "signal_event", "type", "payload",
    "truncate", "for", "match", "timeout", "expect_timeout", "versions", "device", "subchannel",
    "ring_pages",
    "netvsc", "storvsc", "disk0", "balloon", "GPADL_HEADER", "OPENCHANNEL", "22", "0", "4.0",
    "10ms", "relid(netvsc)", "ring_gpadl(netvsc)", "passed", "host_fault", "",
  ]

  static func mutate(_ text: inout [Character], _ generator: inout Generator) {
    func position() -> Int { Int.random(in: 0...text.count, using: &generator) }
    var lines: [[Character]] {
      get { text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init) }
      set { text = Array(newValue.joined(separator: "\n")) }
    }
    switch Int.random(in: 0..<7, using: &generator) {
    case 0:
      let start = position()
      let end = min(text.count, start + Int.random(in: 1...10, using: &generator))
      text.removeSubrange(start..<end)
    case 1:
      let fragment = fragments.randomElement(using: &generator) ?? ""
      text.insert(contentsOf: Array(fragment), at: position())
    case 2:
      var all = lines
      all.remove(at: Int.random(in: 0..<all.count, using: &generator))
      lines = all
    case 3:
      var all = lines
      let index = Int.random(in: 0..<all.count, using: &generator)
      all.insert(all[index], at: Int.random(in: 0...all.count, using: &generator))
      lines = all
    case 4:
      var all = lines
      all.swapAt(
        Int.random(in: 0..<all.count, using: &generator),
        Int.random(in: 0..<all.count, using: &generator))
      lines = all
    case 5:
      let word = words.randomElement(using: &generator) ?? ""
      let start = position()
      var end = start
      while end < text.count, text[end].isLetter || text[end].isNumber || text[end] == "_" {
        end += 1
      }
      text.replaceSubrange(start..<end, with: Array(word))
    default:
      var all = lines
      let index = Int.random(in: 0..<all.count, using: &generator)
      if Bool.random(using: &generator) {
        all[index].insert(contentsOf: "  ", at: 0)
      } else if all[index].starts(with: "  ") {
        all[index].removeFirst(2)
      }
      lines = all
    }
  }

  @Test("thousands of mutated files give a scenario or well-formed errors")
  func mutations() {
    var generator = Generator(state: 0x5CE7_A210)
    let base = Array(ScenarioParserTests.full)
    var parsed = 0
    var rejected = 0
    var malformed: [String] = []
    for _ in 0..<3000 {
      var text = base
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        Self.mutate(&text, &generator)
      }
      let document = String(text)
      do {
        _ = try ScenarioParser.parse(document, file: "fuzz.yaml")
        parsed += 1
      } catch {
        rejected += 1
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        let wellFormed =
          !error.errors.isEmpty && lines.count == error.errors.count
          && error.errors.allSatisfy { $0.location.line >= 1 && $0.location.column >= 1 }
          && lines.allSatisfy { $0.hasPrefix("fuzz.yaml:") && $0.contains(": error: ") }
          && error.errors.map(\.location) == error.errors.map(\.location).sorted()
        if !wellFormed, malformed.count < 5 { malformed.append("\(document)\n=> \(error)") }
      }
    }
    #expect(malformed.isEmpty, "\(malformed.joined(separator: "\n\n"))")
    #expect(parsed > 100)
    #expect(rejected > 1000)
  }

  @Test("deeply nested and aliased documents are rejected without trapping")
  func pathological() {
    let nested = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    let deepValue =
      "description: " + String(repeating: "{a: ", count: 990) + "b"
      + String(repeating: "}", count: 990)
    let aliases = """
      description: d
      expect: passed
      host: {devices: []}
      steps: &s [machine_reset, machine_reset, machine_reset, machine_reset]
      actors:
        - {name: a, steps: *s}
        - {name: b, steps: *s}
        - {name: c, steps: [*s, *s]}
      """
    for text in [nested, deepValue, aliases, "\u{FEFF}", "---\n---\n", "? [a]\n: b"] {
      #expect(throws: ScenarioErrors.self) { try ScenarioParser.parse(text, file: "x.yaml") }
    }
  }
}
