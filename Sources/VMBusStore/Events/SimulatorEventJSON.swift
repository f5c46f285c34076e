import Foundation
import VMBusHost

/// The `events.sim` text: a `SimulatorEvent`'s Codable form as `JSONEncoder` writes it with
/// sorted keys.
///
/// Foundation's JSON coders take tens of microseconds for a hypercall's payload array, more
/// than the insert itself, so the events a simulation records most (`hypercall` and `signal`
/// per guest message, `busRunIdle` per delivery) are written and read here by hand, byte for byte as
/// `JSONEncoder` writes them (the tests compare both). Every other case, and any text that
/// is not exactly in that shape, goes through Foundation.
struct SimulatorEventJSON {
  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()
  private let decoder = JSONDecoder()

  /// The JSON text of `fact`, as UTF-8.
  func encode(_ fact: SimulatorEvent) throws -> [UInt8] {
    switch fact {
    case .hypercall(let call, let status):
      // 91 bytes of keys, at most 35 digits of numbers, at most 4 bytes per payload byte.
      return [UInt8](unsafeUninitializedCapacity: 128 + 4 * call.payload.count) { buffer, count in
        var out = ByteWriter(buffer: buffer)
        out.write(Self.hypercallPrefix)
        out.decimal(UInt64(call.connectionID))
        out.write(Self.messageTypeKey)
        out.decimal(UInt64(call.messageType))
        out.write(Self.payloadKey)
        for (index, byte) in call.payload.enumerated() {
          if index > 0 { out.write(UInt8(ascii: ",")) }
          out.decimal(byte)
        }
        out.write(Self.payloadSizeKey)
        out.decimal(UInt64(call.payloadSize))
        out.write(Self.hypercallStatusKey)
        out.decimal(UInt64(status.rawValue))
        out.write(Self.close2)
        count = out.count
      }
    case .signal(let connectionID, let status):
      // 39 bytes of keys, at most 15 digits.
      return [UInt8](unsafeUninitializedCapacity: 64) { buffer, count in
        var out = ByteWriter(buffer: buffer)
        out.write(Self.signalPrefix)
        out.decimal(UInt64(connectionID))
        out.write(Self.signalStatusKey)
        out.decimal(UInt64(status.rawValue))
        out.write(Self.close2)
        count = out.count
      }
    case .busRunIdle:
      // A simulated run records one at most every completion: worth a constant.
      return Self.busRunIdle
    default:
      return Array(try encoder.encode(fact))
    }
  }

  /// The event the JSON text in `bytes` holds.
  func decode(_ bytes: UnsafeRawBufferPointer) throws -> SimulatorEvent {
    if bytes.elementsEqual(Self.busRunIdle) { return .busRunIdle }
    var reader = Reader(bytes: bytes)
    if let fact = reader.hypercall() ?? reader.signal() { return fact }
    return try decoder.decode(SimulatorEvent.self, from: Data(bytes))
  }

  private static let hypercallPrefix = Array(#"{"hypercall":{"_0":{"connectionID":"#.utf8)
  private static let messageTypeKey = Array(#","messageType":"#.utf8)
  private static let payloadKey = Array(#","payload":["#.utf8)
  private static let payloadSizeKey = Array(#"],"payloadSize":"#.utf8)
  private static let hypercallStatusKey = Array(#"},"status":"#.utf8)
  private static let signalPrefix = Array(#"{"signal":{"connectionID":"#.utf8)
  private static let signalStatusKey = Array(#","status":"#.utf8)
  private static let close2 = Array("}}".utf8)
  private static let busRunIdle = Array(#"{"busRunIdle":{}}"#.utf8)

  /// Writes into a buffer whose capacity the caller has sized for the text.
  private struct ByteWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func write(_ byte: UInt8) {
      buffer[count] = byte
      count += 1
    }

    mutating func write(_ bytes: [UInt8]) {
      for byte in bytes { write(byte) }
    }

    mutating func decimal(_ byte: UInt8) {
      let zero = UInt8(ascii: "0")
      if byte >= 100 { write(zero + byte / 100) }
      if byte >= 10 { write(zero + byte / 10 % 10) }
      write(zero + byte % 10)
    }

    mutating func decimal(_ value: UInt64) {
      var divisor: UInt64 = 1
      while value / divisor >= 10 { divisor *= 10 }
      var rest = value
      while divisor > 0 {
        write(UInt8(ascii: "0") + UInt8(rest / divisor))
        rest %= divisor
        divisor /= 10
      }
    }
  }

  /// A cursor that matches the hand-written shapes exactly and gives up on anything else.
  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    mutating func hypercall() -> SimulatorEvent? {
      index = 0
      guard literal(SimulatorEventJSON.hypercallPrefix),
        let connection = number(UInt32.self),
        literal(SimulatorEventJSON.messageTypeKey), let messageType = number(UInt32.self),
        literal(SimulatorEventJSON.payloadKey), let payload = byteArray(),
        literal(SimulatorEventJSON.payloadSizeKey), let size = number(UInt32.self),
        literal(SimulatorEventJSON.hypercallStatusKey), let status = number(UInt16.self),
        literal(SimulatorEventJSON.close2), index == bytes.count
      else { return nil }
      let call = GuestHypercall(
        connectionID: connection, messageType: messageType, payloadSize: size, payload: payload)
      return .hypercall(call, status: HypercallStatus(rawValue: status))
    }

    mutating func signal() -> SimulatorEvent? {
      index = 0
      guard literal(SimulatorEventJSON.signalPrefix), let connection = number(UInt32.self),
        literal(SimulatorEventJSON.signalStatusKey), let status = number(UInt16.self),
        literal(SimulatorEventJSON.close2), index == bytes.count
      else { return nil }
      return .signal(connectionID: connection, status: HypercallStatus(rawValue: status))
    }

    private mutating func literal(_ expected: [UInt8]) -> Bool {
      guard bytes.count - index >= expected.count else { return false }
      for (offset, byte) in expected.enumerated() where bytes[index + offset] != byte {
        return false
      }
      index += expected.count
      return true
    }

    /// A decimal without sign, fraction or leading zero that fits `T`.
    private mutating func number<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T? {
      let start = index
      var value: T = 0
      while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(T(bytes[index] - UInt8(ascii: "0")))
        guard !overflow1 && !overflow2 else { return nil }
        value = sum
        index += 1
      }
      let length = index - start
      guard length > 0, length == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
      return value
    }

    /// Comma-separated bytes up to (not including) the closing bracket.
    private mutating func byteArray() -> [UInt8]? {
      var result: [UInt8] = []
      if index < bytes.count && bytes[index] == UInt8(ascii: "]") { return result }
      while true {
        guard let byte = number(UInt8.self) else { return nil }
        result.append(byte)
        guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return result }
        index += 1
      }
    }
  }
}
