import VMBusHost

/// A malformed `vmbus_*` line (or, in strict mode, any line that is not one), with its location.
///
/// ``description`` reads `trace.log:41: error: vmbus_open_channel: expected 'channel #<n>',
/// found 'channel #x'`.
package struct TraceParseError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong with the line.
  package enum Kind: Hashable, Sendable {
    /// A `vmbus_` name that is none of the 17 trace points.
    case unknownEvent(name: String)
    /// An argument's text does not have the format's shape. `expected` quotes the format
    /// segment (`channel #<n>`), `found` the same number of words of input, nil at end of line.
    case wrongShape(point: TracePoint, argument: String, expected: String, found: String?)
    /// Text follows the last argument.
    case trailingText(point: TracePoint, found: String)
    /// A well-formed number that the argument's C type and conversion cannot print.
    case outOfRange(point: TracePoint, argument: String, value: String, range: String)
    /// Text before the event name that is not one of the three timestamp prefixes.
    case malformedPrefix(found: String)
    /// The arguments were rejected by ``TraceEvent/init(point:words:)``.
    case invalidArguments(TraceArgumentError)
    /// The line is longer than the reader's limit; only its start was examined.
    case lineTooLong(limit: Int)
    /// Strict mode: a line that is not a `vmbus_*` event.
    case notVMBusEvent(LogSkipReason)
    /// A JSONL line that is not JSON (of the supported subset), at a 1-based column.
    case invalidJSON(column: Int, message: String)
    /// A JSONL line that is JSON but not a trace record, e.g. `missing key 'seq'`.
    case invalidRecord(String)
  }

  /// The file name given to the parser.
  package var file: String
  /// The 1-based line number.
  package var line: Int
  /// What is wrong.
  package var kind: Kind

  /// Creates an error at `file:line`.
  package init(file: String, line: Int, kind: Kind) {
    self.file = file
    self.line = line
    self.kind = kind
  }

  /// The message without its location.
  package var message: String {
    switch kind {
    case .unknownEvent(let name): "unknown trace point '\(name)'"
    case .wrongShape(let point, _, let expected, let found):
      "\(point.name): expected '\(expected)', found \(found.map { "'\($0)'" } ?? "end of line")"
    case .trailingText(let point, let found):
      "\(point.name): unexpected '\(found)' after the arguments"
    case .outOfRange(let point, let argument, let value, let range):
      "\(point.name): \(argument) = \(value) is out of range (\(range))"
    case .malformedPrefix(let found): "malformed timestamp prefix '\(found)'"
    case .invalidArguments(let error): error.description
    case .lineTooLong(let limit): "line longer than \(limit) bytes"
    case .notVMBusEvent(let reason): reason.description
    case .invalidJSON(_, let message): message
    case .invalidRecord(let message): message
    }
  }

  package var description: String {
    if case .invalidJSON(let column, _) = kind {
      return "\(file):\(line):\(column): error: \(message)"
    }
    return "\(file):\(line): error: \(message)"
  }
}
