/// Values stored once and referred to by index, so that a long session's repeated texts
/// (event lines, changes, state pieces) cost a few digits each in the page's data.
struct InternTable<Value: Hashable> {
  private(set) var values: [Value] = []
  private var indices: [Value: Int] = [:]

  /// A table whose first entry is `first` (e.g. the empty list, index 0).
  init(first: Value) {
    _ = index(of: first)
  }

  /// The index of `value`, adding it when new.
  mutating func index(of value: Value) -> Int {
    if let index = indices[value] { return index }
    values.append(value)
    indices[value] = values.count - 1
    return values.count - 1
  }
}
