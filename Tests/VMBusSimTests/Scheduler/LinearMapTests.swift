import Testing

@testable import VMBusSim

@Suite("LinearMap")
struct LinearMapTests {
  @Test("a linear map reads, overwrites and removes as a dictionary does, in first-set order")
  func behavesAsADictionary() {
    var map = LinearMap<UInt32, UInt64>()
    var reference: [UInt32: UInt64] = [:]
    #expect(map.isEmpty)
    // Sets, overwrites, removals of present and absent keys, in a fixed mixed order.
    let writes: [(UInt32, UInt64?)] = [
      (7, 3), (9, 1), (7, 2), (4, nil), (9, nil), (5, 8), (7, nil), (9, 6), (5, 4),
    ]
    for (key, value) in writes {
      map[key] = value
      reference[key] = value
      for probe: UInt32 in [4, 5, 7, 9] { #expect(map[probe] == reference[probe]) }
      #expect(map.isEmpty == reference.isEmpty)
    }
    #expect(map.entries.map(\.key) == [5, 9])
    map.removeAll()
    #expect(map.isEmpty && map[5] == nil)
  }
}
