import VMBusHost

/// One line of a JSONL export, read back.
package struct JSONLRecord: Hashable, Sendable {
  /// The line's `seq`.
  package var seq: UInt64
  /// A trace event, or `sim_traced_events_dropped`.
  package var event: HostEvent
  /// The timestamp fields, when the line has them.
  package var timestamp: TraceTimestamp?

  /// Creates a record.
  package init(seq: UInt64, event: HostEvent, timestamp: TraceTimestamp? = nil) {
    self.seq = seq
    self.event = event
    self.timestamp = timestamp
  }
}

/// Reads the JSON Lines that ``JSONLExporter`` writes, one line at a time.
///
/// Key order and spacing do not matter; unknown top-level keys are ignored, but `args` must
/// name exactly the trace point's parameters. Errors are ``TraceParseError``s.
package struct JSONLDecoder: Hashable, Sendable {
  /// The file name that diagnostics start with.
  package var fileName: String

  /// Creates a decoder whose diagnostics name `fileName`.
  package init(fileName: String = "<input>") {
    self.fileName = fileName
  }

  /// Decodes one line; nil for a blank line.
  package func decode(
    line: some Collection<UInt8>, lineNumber: Int
  ) throws(TraceParseError) -> JSONLRecord? {
    let bytes = Array(line)
    guard bytes.contains(where: { $0 != ASCII.space && $0 != UInt8(ascii: "\t") }) else {
      return nil
    }
    let value: JSONValue
    do {
      value = try JSONReader.parse(bytes)
    } catch {
      throw TraceParseError(
        file: fileName, line: lineNumber,
        kind: .invalidJSON(column: error.column, message: error.message))
    }
    func fail(_ message: String) -> TraceParseError {
      TraceParseError(file: fileName, line: lineNumber, kind: .invalidRecord(message))
    }
    guard case .object = value else { throw fail("expected an object") }
    guard case .integer(false, let seq)? = value["seq"] else {
      throw fail("'seq' must be an unsigned integer")
    }
    guard case .string(let name)? = value["name"] else { throw fail("'name' must be a string") }
    guard case .object(let args)? = value["args"] else { throw fail("'args' must be an object") }
    let event: HostEvent
    if name == HostEvent.simulator(.tracedEventsDropped(count: 0)).name {
      let words = try words(args, names: ["count"], kinds: [.uint64], fail)
      event = .simulator(.tracedEventsDropped(count: words.first ?? 0))
    } else {
      guard let point = TracePoint(name: name) else {
        throw TraceParseError(file: fileName, line: lineNumber, kind: .unknownEvent(name: name))
      }
      let parameters = point.parameters
      let words = try words(
        args, names: parameters.map(\.name), kinds: parameters.map(\.kind), fail)
      do {
        event = .trace(try TraceEvent(point: point, words: words))
      } catch {
        throw TraceParseError(file: fileName, line: lineNumber, kind: .invalidArguments(error))
      }
    }
    return JSONLRecord(seq: seq, event: event, timestamp: try timestamp(value, fail))
  }

  /// The argument words in parameter order, checking names and JSON types.
  private func words(
    _ args: [(key: String, value: JSONValue)], names: [String], kinds: [TraceArgumentKind],
    _ fail: (String) -> TraceParseError
  ) throws(TraceParseError) -> [UInt64] {
    if let extra = args.first(where: { !names.contains($0.key) }) {
      throw fail("'args' has unexpected '\(extra.key)'")
    }
    var words: [UInt64] = []
    for (name, kind) in zip(names, kinds) {
      guard let value = args.first(where: { $0.key == name })?.value else {
        throw fail("'args' has no '\(name)'")
      }
      switch (kind, value) {
      case (.pointer, .null): words.append(0)
      case (.pointer, .string(let text)):
        guard let address = Self.hexAddress(text) else {
          throw fail("'\(name)' must be null or a \"0x...\" string")
        }
        words.append(address)
      case (.int32, .integer(let negative, let magnitude)):
        guard magnitude <= (negative ? 0x8000_0000 : 0x7FFF_FFFF) else {
          throw fail("'\(name)' = \(negative ? "-" : "")\(magnitude) does not fit int")
        }
        words.append(negative ? 0 &- magnitude : magnitude)
      case (.uint16, .integer(false, let magnitude)), (.uint32, .integer(false, let magnitude)),
        (.uint64, .integer(false, let magnitude)):
        words.append(magnitude)
      case (.pointer, _): throw fail("'\(name)' must be null or a \"0x...\" string")
      case (.int32, _): throw fail("'\(name)' must be an integer")
      default: throw fail("'\(name)' must be an unsigned integer")
      }
    }
    return words
  }

  private static func hexAddress(_ text: String) -> UInt64? {
    let bytes = Array(text.utf8)
    guard bytes.count > 2, bytes.count <= 18, bytes[0] == ASCII.zero, bytes[1] == UInt8(ascii: "x")
    else { return nil }
    var value: UInt64 = 0
    for byte in bytes[2...] {
      guard let digit = ASCII.lowerHexValue(byte) else { return nil }
      value = value << 4 | digit
    }
    return value
  }

  private func timestamp(
    _ value: JSONValue, _ fail: (String) -> TraceParseError
  ) throws(TraceParseError) -> TraceTimestamp? {
    if let prefixValue = value["prefix"] {
      guard case .string(let text) = prefixValue else { throw fail("'prefix' must be a string") }
      let bytes = Array(text.utf8)
      let parsed = bytes.withUnsafeBufferPointer { LogPrefix.parse($0) }
      guard let parsed, parsed.end == bytes.count else {
        throw fail("'prefix' is not a log prefix: '\(text)'")
      }
      let prefix = parsed.prefix
      let checks: [(String, UInt64?)] = [
        ("tid", prefix.threadID.map(UInt64.init)),
        ("sec", UInt64(exactly: prefix.seconds)),
        ("usec", UInt64(prefix.microseconds)),
      ]
      for (key, expected) in checks {
        guard let field = value[key] else { continue }
        guard case .integer(false, let found) = field, found == expected else {
          throw fail("'\(key)' does not match 'prefix' \(text)")
        }
      }
      return .log(prefix)
    }
    guard let nanoseconds = value["timestamp_ns"] else { return nil }
    guard case .integer(false, let timestampNS) = nanoseconds else {
      throw fail("'timestamp_ns' must be an unsigned integer")
    }
    guard case .integer(false, let pid)? = value["pid"], let pid32 = UInt32(exactly: pid) else {
      throw fail("'pid' must be a 32-bit unsigned integer")
    }
    return .simple(timestampNS: timestampNS, pid: pid32)
  }
}
