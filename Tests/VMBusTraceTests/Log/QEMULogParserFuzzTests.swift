import Testing
import VMBusHost
import VMBusSim
import VMBusTesting
import VMBusTrace

/// Mutated lines never trap, and whatever parses prints back exactly: the parser accepts only
/// the canonical text QEMU prints.
@Suite struct QEMULogParserFuzzTests {
  static let alphabet = Array("0123456789abcdefx-#.:@ ()nilTZvmbus_AF\u{7f}\t".utf8) + [0xFF, 0xC3]

  static func check(_ bytes: [UInt8], parser: QEMULogParser) {
    do {
      guard case .event(let parsed) = try parser.parse(line: bytes, lineNumber: 1) else { return }
      var printed = Array(QEMULogFormatter.line(parsed.event, prefix: parsed.prefix).utf8)
      if parsed.event.words.isEmpty, bytes.last != 0x20 { printed.removeLast() }
      #expect(printed == bytes, "\(String(decoding: bytes, as: UTF8.self))")
    } catch {
      #expect(!error.description.isEmpty)
    }
  }

  @Test func everySingleByteEditOfEverySample() {
    let parser = QEMULogParser()
    for sample in TraceSample.all + TraceSample.extra {
      for prefix in SamplePrefix.allCases {
        let line = Array((prefix.text + sample.body).utf8)
        for position in 0..<line.count {
          for byte in Self.alphabet {
            var replaced = line
            replaced[position] = byte
            Self.check(replaced, parser: parser)
            var inserted = line
            inserted.insert(byte, at: position)
            Self.check(inserted, parser: parser)
          }
          var removed = line
          removed.remove(at: position)
          Self.check(removed, parser: parser)
          Self.check(Array(line[..<position]), parser: parser)
        }
      }
    }
  }

  @Test func randomEdits() {
    let parser = QEMULogParser()
    var generator = SplitMix64(seed: 0x5EED)
    let samples = TraceSample.all + TraceSample.extra
    for _ in 0..<20_000 {
      let sample = samples[Int(generator.next() % UInt64(samples.count))]
      let prefix = SamplePrefix.allCases[Int(generator.next() % 4)]
      var line = Array((prefix.text + sample.body).utf8)
      for _ in 0..<(1 + generator.next() % 4) where !line.isEmpty {
        let position = Int(generator.next() % UInt64(line.count))
        line[position] = Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))]
      }
      Self.check(line, parser: parser)
    }
  }
}
