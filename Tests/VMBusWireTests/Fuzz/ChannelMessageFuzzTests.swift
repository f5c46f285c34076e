import Testing
import VMBusSim
import VMBusTesting
import VMBusWire

/// Deterministic fuzzing of `ChannelMessage(decoding:)`: no traps, exact errors, lossless round trips.
@Suite struct ChannelMessageFuzzTests {
  static let iterations = 200_000
  static let maxLength = 260

  /// Random bytes whose length is 0...260; two thirds of them start with a type in 0...30 and
  /// half of those have a length near that type's minimum.
  static func input(_ generator: inout SplitMix64, index: Int) -> [UInt8] {
    var length = Int.random(in: 0...maxLength, using: &generator)
    let type = UInt32(index % 31)
    let typed = index % 3 != 0
    if typed && index % 2 == 0 {
      let minimum = MessageType(type).minimumLength
      length = max(0, minimum + Int.random(in: -3...3, using: &generator))
    }
    var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    if typed { bytes.storeLittleEndian(type, at: 0) }
    return bytes
  }

  /// The failure, if any, of one decode; nil when every property holds.
  static func check(_ bytes: [UInt8]) -> String? {
    let message: ChannelMessage
    do {
      message = try ChannelMessage(decoding: bytes)
    } catch {
      return checkError(error, bytes)
    }
    guard message.type == ChannelMessage.messageType(of: bytes) else {
      return "type mismatch for \(bytes)"
    }
    let encoded = message.encoded()
    guard (try? ChannelMessage(decoding: encoded)) == message else {
      return "decode(encode(m)) != m for \(bytes)"
    }
    if case .other = message {
      guard encoded == bytes else { return "raw payload changed for \(bytes)" }
    } else {
      guard (try? ChannelMessage(decoding: message.wireEncoded())) == message else {
        return "decode(wireEncode(m)) != m for \(bytes)"
      }
    }
    return nil
  }

  static func checkError(_ error: WireError, _ bytes: [UInt8]) -> String? {
    switch error {
    case .missingHeader(let length):
      return length == bytes.count && length < 8 ? nil : "bad \(error) for \(bytes.count) bytes"
    case .tooShort(let type, let length, let minimum):
      let expectedMinimum = type == .versionResponse ? 12 : type.minimumLength
      guard ChannelMessage.messageType(of: bytes) == type, length == bytes.count,
        minimum == expectedMinimum, length < minimum, length >= 8
      else { return "bad \(error) for \(bytes.count) bytes" }
      return nil
    }
  }

  @Test func decodeNeverTrapsAndRoundTrips() {
    var generator = SplitMix64(seed: 0x5EED_F00D_1A2B_3C4D)
    var failures: [String] = []
    var decoded = 0
    var seenTypes = Set<UInt32>()
    for index in 0..<Self.iterations {
      let bytes = Self.input(&generator, index: index)
      if let failure = Self.check(bytes) {
        if failures.count < 5 { failures.append(failure) }
      } else if let message = try? ChannelMessage(decoding: bytes) {
        decoded += 1
        seenTypes.insert(message.type.rawValue)
      }
    }
    #expect(failures.isEmpty, "\(failures)")
    #expect(decoded > Self.iterations / 2)
    #expect(seenTypes.isSuperset(of: 0...30))
  }
}
