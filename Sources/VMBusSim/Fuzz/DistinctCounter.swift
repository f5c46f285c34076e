#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counts distinct 64-bit values in fixed memory (HyperLogLog, 4096 registers, about 1.6%
/// standard error), so a campaign's "distinct states" does not grow with its length.
struct DistinctCounter: Sendable {
  private static let bits = 12
  private var registers = [UInt8](repeating: 0, count: 1 << DistinctCounter.bits)

  mutating func insert(_ hash: UInt64) {
    // Mix first: state digests are FNV values whose high bits are not uniform enough.
    var z = hash &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    let index = Int(z >> UInt64(64 - Self.bits))
    let rest = (z << UInt64(Self.bits)) | (1 << UInt64(Self.bits - 1))
    let rank = UInt8(rest.leadingZeroBitCount + 1)
    if rank > registers[index] { registers[index] = rank }
  }

  var estimate: Int {
    let m = Double(registers.count)
    var sum = 0.0
    var zeros = 0
    for register in registers {
      sum += 1.0 / Double(UInt64(1) << UInt64(register))
      if register == 0 { zeros += 1 }
    }
    let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
    if raw <= 2.5 * m && zeros > 0 {
      return Int((m * log(m / Double(zeros))).rounded())
    }
    return Int(raw.rounded())
  }
}
