import VMBusHost

/// A `simple`-backend file that cannot be read, with the byte offset of the problem.
///
/// ``description`` reads `trace-4152: offset 96: error: truncated event record: needs 40
/// bytes, 17 available`.
package struct SimpleTraceError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The part of the file that ended early.
  package enum Part: String, Hashable, Sendable {
    /// The 24-byte file header.
    case header
    /// A record's 8-byte type word.
    case recordType = "record type"
    /// A mapping record.
    case mappingRecord = "mapping record"
    /// An event record.
    case eventRecord = "event record"
  }

  /// What is wrong.
  package enum Kind: Hashable, Sendable {
    /// The first word is not the header event id.
    case notSimpleTrace(headerEventID: UInt64)
    /// The second word is not the magic.
    case badMagic(found: UInt64)
    /// The format version is not 4.
    case unsupportedVersion(found: UInt64)
    /// The file ends inside `part`, which needs `needed` bytes of which `available` exist.
    case truncated(part: Part, needed: UInt64, available: UInt64)
    /// A record type other than 0 (mapping) or 1 (event).
    case unknownRecordType(UInt64)
    /// An event record's length field is below the 24-byte record header.
    case recordTooShort(length: UInt32)
    /// An event record's length does not match its event's signature (or, for `dropped`,
    /// the one-argument dropped-events record).
    case lengthMismatch(name: String, expected: UInt32, found: UInt32)
    /// An event record whose id no mapping record named.
    case unmappedEventID(UInt64)
    /// A mapping record's name is longer than ``SimpleTraceLayout/maxNameLength``.
    case nameTooLong(length: UInt32)
    /// A VMBus record's argument does not fit its declared type.
    case invalidArguments(TraceArgumentError)
    /// Reading the file failed.
    case io(TraceIOError)
  }

  /// The file name given to the reader.
  package var file: String
  /// Byte offset of the offending header field or record.
  package var offset: UInt64
  /// What is wrong.
  package var kind: Kind

  /// Creates an error at `offset` of `file`.
  package init(file: String, offset: UInt64, kind: Kind) {
    self.file = file
    self.offset = offset
    self.kind = kind
  }

  /// The message without its location.
  package var message: String {
    switch kind {
    case .notSimpleTrace(let id):
      "not a simpletrace file: header event id \(hex(id)), expected 0xffffffffffffffff"
    case .badMagic(let found): "bad magic \(hex(found)), expected \(hex(SimpleTraceLayout.magic))"
    case .unsupportedVersion(let found): "unsupported format version \(found), expected 4"
    case .truncated(let part, let needed, let available):
      "truncated \(part.rawValue): needs \(needed) bytes, \(available) available"
    case .unknownRecordType(let type): "unknown record type \(type)"
    case .recordTooShort(let length):
      "event record length \(length) is shorter than the 24-byte record header"
    case .lengthMismatch(let name, let expected, let found):
      "\(name) record length \(found), expected \(expected)"
    case .unmappedEventID(let id): "event id \(id) has no mapping record"
    case .nameTooLong(let length):
      "mapping record name length \(length) exceeds \(SimpleTraceLayout.maxNameLength)"
    case .invalidArguments(let error): error.description
    case .io(let error): error.description
    }
  }

  package var description: String {
    if case .io(let error) = kind { return error.description }
    return "\(file): offset \(offset): error: \(message)"
  }

  private func hex(_ value: UInt64) -> String {
    var bytes: [UInt8] = Array("0x".utf8)
    ASCII.appendHex(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}
