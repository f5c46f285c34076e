/// A value kept beside a struct's state that takes no part in its equality or hash: a cache
/// of what the rest determines, or a fold's bookkeeping. Two states that differ only here
/// are equal.
package struct Uncompared<Value: Sendable>: Hashable, Sendable {
  package var value: Value

  package init(_ value: Value) {
    self.value = value
  }

  package static func == (lhs: Self, rhs: Self) -> Bool { true }
  package func hash(into hasher: inout Hasher) {}
}
