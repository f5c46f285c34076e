/// The explorer's visited set: exploration keys in an open-addressed table. The keys are
/// already well-mixed hashes, so they index the table directly instead of being hashed
/// again, as a `Set<Int>` would.
struct VisitedSet {
  /// Slots, a power of two; 0 marks an empty one (the key 0 is tracked apart).
  private var slots = [UInt64](repeating: 0, count: 1 << 12)
  private var containsZero = false
  /// Distinct keys inserted.
  private(set) var count = 0

  /// Inserts `key`; true when it was not there before.
  mutating func insert(_ key: Int) -> Bool {
    let key = UInt64(bitPattern: Int64(key))
    guard key != 0 else {
      defer { containsZero = true }
      if !containsZero { count += 1 }
      return !containsZero
    }
    // At most three quarters full: probes stay short and the table small enough to cache.
    if (count + 1) * 4 > slots.count * 3 { grow() }
    let inserted = Self.place(key, in: &slots)
    if inserted { count += 1 }
    return inserted
  }

  /// Puts `key` in the first free slot of its probe sequence; false when it is there.
  private static func place(_ key: UInt64, in slots: inout [UInt64]) -> Bool {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: key ^ key >> 32) & mask
    while true {
      let slot = slots[index]
      if slot == key { return false }
      if slot == 0 {
        slots[index] = key
        return true
      }
      index = (index + 1) & mask
    }
  }

  private mutating func grow() {
    var larger = [UInt64](repeating: 0, count: slots.count * 2)
    for key in slots where key != 0 { _ = Self.place(key, in: &larger) }
    slots = larger
  }
}
