/// A fast 64-bit hash of whole words, for the exhaustive explorer's visited set: one
/// multiply and shift per word instead of a SipHash round per field. (Collisions among a few
/// million states have a probability near 10^-7.)
///
/// Words go alternately into two lanes, each a chain of multiplies, so the processor works
/// on both chains at once; the lanes are mixed together when the value is read.
///
/// One hasher for the host's part of the key and the simulator's. Inlinable, so that the
/// simulator's calls are inlined: a call into another module per word cost the explorer a
/// tenth of its time. Public rather than `package` only for that: Swift 6.3 inlined none of
/// these `@inlinable package` members across modules (measured: 1,741 M against 1,608 M
/// instructions for an exploration), and a stored constant would be a lazy global.
public struct WordHasher {
  @inlinable static var multiplier: UInt64 { 0x9E37_79B9_7F4A_7C15 }
  @usableFromInline var lane: UInt64 = 0x243F_6A88_85A3_08D3
  @usableFromInline var otherLane: UInt64 = 0x1319_8A2E_0370_7344

  @inlinable public init() {}

  @inlinable public var value: UInt64 {
    var mixed = (lane &* Self.multiplier) ^ otherLane
    mixed = (mixed ^ mixed >> 29) &* Self.multiplier
    return mixed ^ mixed >> 32
  }

  @inlinable @inline(__always)
  public mutating func add(_ word: UInt64) {
    let mixed = (lane ^ word) &* Self.multiplier
    lane = otherLane
    otherLane = mixed ^ mixed >> 29
  }

  @inlinable @inline(__always)
  public mutating func add<T: FixedWidthInteger>(_ word: T) {
    add(UInt64(truncatingIfNeeded: word))
  }

  @inlinable
  public mutating func add(_ flag: Bool) { add(UInt64(flag ? 1 : 0)) }

  /// Bytes eight at a time, then the tail and the length.
  @inlinable
  public mutating func add(bytes raw: UnsafeRawBufferPointer) {
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

  /// A string's UTF-8 bytes, read in place (a native string's storage is contiguous).
  @inlinable
  public mutating func add(utf8 text: String) {
    var text = text
    text.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
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
