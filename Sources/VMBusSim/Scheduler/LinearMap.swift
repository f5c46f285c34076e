/// A map of a few entries, searched in order: no hashing, no table. What an actor keeps per
/// GPADL it is still sending has one or two entries, and is read on every GPADL body,
/// where a dictionary's hash of the key cost more than the rest of the lookup.
struct LinearMap<Key: Equatable & Sendable, Value: Sendable>: Sendable {
  /// In the order keys were first set (which the history decides: do not let it reach a
  /// key or output that must not depend on it).
  private(set) var entries: [(key: Key, value: Value)] = []

  init() {}

  var isEmpty: Bool { entries.isEmpty }

  subscript(key: Key) -> Value? {
    get { entries.first { $0.key == key }?.value }
    set {
      let index = entries.firstIndex { $0.key == key }
      switch (index, newValue) {
      case (let index?, let value?): entries[index].value = value
      case (let index?, nil): entries.remove(at: index)
      case (nil, let value?): entries.append((key, value))
      case (nil, nil): break
      }
    }
  }

  mutating func removeAll() { entries.removeAll() }
}
