/// Reads the fields of one message type, turning any out-of-range read into `WireError.tooShort`.
struct FieldReader {
  /// The payload being decoded.
  let reader: ByteReader
  /// The message type the fields belong to, named in errors.
  let type: MessageType

  /// Creates a reader for `payload`, first checking that it holds at least `minimum` bytes.
  init(_ payload: [UInt8], as type: MessageType, minimum: Int) throws(WireError) {
    guard payload.count >= minimum else {
      throw .tooShort(type: type, length: payload.count, minimum: minimum)
    }
    self.reader = ByteReader(payload)
    self.type = type
  }

  /// Creates a reader for `payload`, checking the type's `minimumLength`.
  init(_ payload: [UInt8], as type: MessageType) throws(WireError) {
    try self.init(payload, as: type, minimum: type.minimumLength)
  }

  /// Reads a little-endian integer at `offset`.
  func read<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type = T.self, at offset: Int)
    throws(WireError)
    -> T
  {
    guard let value = reader.read(T.self, at: offset) else {
      throw .tooShort(type: type, length: reader.count, minimum: offset + T.bitWidth / 8)
    }
    return value
  }

  /// Copies `count` bytes at `offset`.
  func bytes(at offset: Int, count: Int) throws(WireError) -> [UInt8] {
    guard let value = reader.bytes(at: offset, count: count) else {
      throw .tooShort(type: type, length: reader.count, minimum: offset + count)
    }
    return value
  }
}
