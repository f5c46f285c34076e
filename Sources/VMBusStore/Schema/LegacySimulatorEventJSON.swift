import Foundation
import VMBusHost

/// The `events.sim` text as builds before `v6-sim-arguments` wrote it: a `SimulatorEvent`'s
/// synthesized Codable form (`{"hypercall":{"_0":{...}}}`, payloads as arrays of numbers).
/// That migration reads it to rewrite each row in the documented shape, and so does a
/// reader of a file opened read-only before the migration ran.
///
/// Hypercalls and signals, most of a simulated session's rows, are matched by hand in the
/// exact shape those builds wrote them; anything else goes through Foundation.
struct LegacySimulatorEventJSON {
  private let decoder = JSONDecoder()

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

  /// A cursor that matches the hand-written shapes exactly and gives up on anything else.
  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    mutating func hypercall() -> SimulatorEvent? {
      index = 0
      guard literal(LegacySimulatorEventJSON.hypercallPrefix),
        let connection = number(UInt32.self),
        literal(LegacySimulatorEventJSON.messageTypeKey), let messageType = number(UInt32.self),
        literal(LegacySimulatorEventJSON.payloadKey), let payload = byteArray(),
        literal(LegacySimulatorEventJSON.payloadSizeKey), let size = number(UInt32.self),
        literal(LegacySimulatorEventJSON.hypercallStatusKey), let status = number(UInt16.self),
        literal(LegacySimulatorEventJSON.close2), index == bytes.count
      else { return nil }
      let call = GuestHypercall(
        connectionID: connection, messageType: messageType, payloadSize: size, payload: payload)
      return .hypercall(call, status: HypercallStatus(rawValue: status))
    }

    mutating func signal() -> SimulatorEvent? {
      index = 0
      guard literal(LegacySimulatorEventJSON.signalPrefix), let connection = number(UInt32.self),
        literal(LegacySimulatorEventJSON.signalStatusKey), let status = number(UInt16.self),
        literal(LegacySimulatorEventJSON.close2), index == bytes.count
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
