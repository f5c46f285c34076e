/// A fast 64-bit hash of whole words, for the exhaustive explorer's visited set: one
/// multiply and shift per word instead of a SipHash round per field. (Collisions among a few
/// million states have a probability near 10^-7.)
///
/// Words go alternately into two lanes, each a chain of multiplies, so the processor works
/// on both chains at once; the lanes are mixed together when the value is read.
///
/// The simulator keeps its own copy of this hasher for its parts of the key: a call into
/// another module per word is not inlined, and cost the explorer a tenth of its time.
struct WordHasher {
  private static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
  private var lane: UInt64 = 0x243F_6A88_85A3_08D3
  private var otherLane: UInt64 = 0x1319_8A2E_0370_7344

  var value: UInt64 {
    var mixed = (lane &* Self.multiplier) ^ otherLane
    mixed = (mixed ^ mixed >> 29) &* Self.multiplier
    return mixed ^ mixed >> 32
  }

  @inline(__always)
  mutating func add(_ word: UInt64) {
    let mixed = (lane ^ word) &* Self.multiplier
    lane = otherLane
    otherLane = mixed ^ mixed >> 29
  }

  @inline(__always)
  mutating func add<T: FixedWidthInteger>(_ word: T) {
    add(UInt64(truncatingIfNeeded: word))
  }

  /// Bytes eight at a time, then the tail and the length.
  mutating func add(bytes raw: UnsafeRawBufferPointer) {
    var offset = 0
    while offset + 8 <= raw.count {
      add(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      offset += 8
    }
    var tail: UInt64 = 0
    for index in offset..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
    add(tail)
    add(raw.count)
  }
}

/// Streams the state encoding into a ``WordHasher`` for the explorer: values packed into
/// 64-bit words (fewer words to mix), without the field tags (always the same), the fields
/// outside the exploration key, the device configurations (the scenario fixes them), and of
/// a byte string all but its length and first ``byteStringPrefix`` bytes.
struct ExplorationKeySink: StateEncodingSink {
  var hasher: WordHasher
  private var word: UInt64 = 0
  private var bits: UInt64 = 0

  /// What the host reads of a queued payload: its fixed fields (40 bytes covers the
  /// longest, INITIATE_CONTACT). PFN values never change what it does, and hashing whole
  /// PFN lists cost the explorer a tenth of its time.
  static let byteStringPrefix = 40

  init(hasher: WordHasher) { self.hasher = hasher }

  var takesConfiguration: Bool { false }

  @inline(__always)
  func begin(_ field: StateField) -> Bool { field.isInExplorationKey }

  mutating func write(_ flag: Bool) { pack(flag ? 1 : 0, bits: 1) }
  mutating func write(_ value: UInt8) { pack(UInt64(value), bits: 8) }
  mutating func write(_ value: UInt16) { pack(UInt64(value), bits: 16) }
  mutating func write(_ value: UInt32) { pack(UInt64(value), bits: 32) }
  mutating func write(_ value: UInt64) { pack(value, bits: 64) }

  mutating func write(contentsOf bytes: UnsafeRawBufferPointer) {
    flush()
    hasher.add(bytes: UnsafeRawBufferPointer(rebasing: bytes.prefix(Self.byteStringPrefix)))
  }

  /// Adds the word being packed, if any.
  @inline(__always)
  mutating func flush() {
    guard bits > 0 else { return }
    hasher.add(word)
    word = 0
    bits = 0
  }

  @inline(__always)
  private mutating func pack(_ value: UInt64, bits width: UInt64) {
    if bits + width > 64 { flush() }
    // `bits` is at most 63 here, so the masking shift is exact.
    word |= value &<< bits
    bits += width
  }
}
