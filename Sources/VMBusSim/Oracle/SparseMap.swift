/// A dictionary that is usually empty, stored as nil until its first entry.
///
/// The explorer copies every actor per branch; an empty `Dictionary` still costs a retain
/// and a release per copy, nil costs nothing.
struct SparseMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private var storage: [Key: Value]?

  init() {}

  var isEmpty: Bool { storage?.isEmpty ?? true }

  subscript(key: Key) -> Value? {
    get { storage?[key] }
    set {
      if newValue == nil && storage == nil { return }
      storage = storage ?? [:]
      storage?[key] = newValue
      if storage?.isEmpty == true { storage = nil }
    }
  }

  /// The entries, in the dictionary's order (which varies from run to run: do not let it
  /// reach output).
  var entries: [Key: Value] { storage ?? [:] }
}
