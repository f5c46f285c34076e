import VMBusTrace

/// Builds one JSON value with keys in the order written, so output is stable byte for byte.
package struct JSONBuilder {
  package private(set) var bytes: [UInt8] = []
  private var needsComma: [Bool] = []

  package init() {}

  package var text: String { String(decoding: bytes, as: UTF8.self) }

  package mutating func object(_ body: (inout JSONBuilder) -> Void) {
    separate()
    bytes.append(UInt8(ascii: "{"))
    needsComma.append(false)
    body(&self)
    needsComma.removeLast()
    bytes.append(UInt8(ascii: "}"))
  }

  package mutating func array(_ body: (inout JSONBuilder) -> Void) {
    separate()
    bytes.append(UInt8(ascii: "["))
    needsComma.append(false)
    body(&self)
    needsComma.removeLast()
    bytes.append(UInt8(ascii: "]"))
  }

  /// Starts `"key": ` inside an object; the next value written is its value.
  package mutating func key(_ name: String) {
    separate()
    JSONText.appendString(name, to: &bytes)
    bytes.append(contentsOf: ": ".utf8)
    if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
  }

  package mutating func string(_ value: String) {
    separate()
    JSONText.appendString(value, to: &bytes)
  }

  package mutating func number<T: BinaryInteger>(_ value: T) {
    separate()
    bytes.append(contentsOf: "\(value)".utf8)
  }

  package mutating func number(_ value: Double) {
    separate()
    bytes.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
  }

  package mutating func bool(_ value: Bool) {
    separate()
    bytes.append(contentsOf: (value ? "true" : "false").utf8)
  }

  package mutating func null() {
    separate()
    bytes.append(contentsOf: "null".utf8)
  }

  /// Splices in already-encoded JSON (e.g. an event's arguments).
  package mutating func raw(_ encoded: [UInt8]) {
    separate()
    bytes.append(contentsOf: encoded)
  }

  package mutating func field(_ name: String, _ value: String?) {
    key(name)
    if let value { string(value) } else { null() }
  }

  package mutating func field<T: BinaryInteger>(_ name: String, _ value: T?) {
    key(name)
    if let value { number(value) } else { null() }
  }

  package mutating func field(_ name: String, _ value: Bool) {
    key(name)
    bool(value)
  }

  private mutating func separate() {
    guard let last = needsComma.last else { return }
    if last { bytes.append(contentsOf: ", ".utf8) }
    needsComma[needsComma.count - 1] = true
  }
}
