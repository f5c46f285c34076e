/// The explorer's visited set: exploration keys in an open-addressed table, each with the
/// shallowest depth it was reached at. The keys are already well-mixed hashes, so they index
/// the table directly instead of being hashed again, as a `Set<Int>` would.
///
/// The depth matters because the exploration is bounded: a state first reached near the
/// bound had most of its future cut off, so reaching it again higher up must expand it again,
/// or schedules within the bound would go unexplored.
struct VisitedSet {
  /// Slots, a power of two; 0 marks an empty one (the key 0 is tracked apart).
  private var slots = [UInt64](repeating: 0, count: 1 << 12)
  /// The shallowest depth each slot's key was reached at.
  private var depths = [Int32](repeating: 0, count: 1 << 12)
  /// The key 0's shallowest depth, once reached.
  private var zeroDepth: Int32?
  /// Distinct keys inserted.
  private(set) var count = 0

  /// Records `key` reached at `depth`; true when it was not there before, or only deeper
  /// (its future, with more steps left under the bound, is to be explored again).
  mutating func insert(_ key: Int, depth: Int) -> Bool {
    let key = UInt64(bitPattern: Int64(key))
    let depth = Int32(clamping: depth)
    guard key != 0 else {
      if let known = zeroDepth, known <= depth { return false }
      if zeroDepth == nil { count += 1 }
      zeroDepth = depth
      return true
    }
    // At most three quarters full: probes stay short and the table small enough to cache.
    if (count + 1) * 4 > slots.count * 3 { grow() }
    switch Self.place(key, depth: depth, slots: &slots, depths: &depths) {
    case .new:
      count += 1
      return true
    case .shallower: return true
    case .known: return false
    }
  }

  /// Whether `key` was recorded at `depth` or higher up.
  func contains(_ key: Int, atOrAbove depth: Int) -> Bool {
    let key = UInt64(bitPattern: Int64(key))
    let depth = Int32(clamping: depth)
    guard key != 0 else { return zeroDepth.map { $0 <= depth } ?? false }
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: key ^ key >> 32) & mask
    while slots[index] != 0 {
      if slots[index] == key { return depths[index] <= depth }
      index = (index + 1) & mask
    }
    return false
  }

  private enum Placement { case new, shallower, known }

  /// Puts `key` in the first free slot of its probe sequence, or lowers its depth.
  private static func place(
    _ key: UInt64, depth: Int32, slots: inout [UInt64], depths: inout [Int32]
  ) -> Placement {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: key ^ key >> 32) & mask
    while true {
      let slot = slots[index]
      if slot == key {
        guard depth < depths[index] else { return .known }
        depths[index] = depth
        return .shallower
      }
      if slot == 0 {
        slots[index] = key
        depths[index] = depth
        return .new
      }
      index = (index + 1) & mask
    }
  }

  private mutating func grow() {
    var larger = [UInt64](repeating: 0, count: slots.count * 2)
    var largerDepths = [Int32](repeating: 0, count: slots.count * 2)
    for index in slots.indices where slots[index] != 0 {
      _ = Self.place(slots[index], depth: depths[index], slots: &larger, depths: &largerDepths)
    }
    slots = larger
    depths = largerDepths
  }
}
