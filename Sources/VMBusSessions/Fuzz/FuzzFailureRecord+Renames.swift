import VMBusSim
import VMBusStore

extension [FuzzFailureRecord] {
  /// The failures with every signature under its root cause's current name
  /// (``RootCauseRename``). A database written before a rename holds rows under the former
  /// name, and one a later build added to holds the same failure under both: rows that
  /// become one are combined as the store combines a failure recorded twice. Most frequent
  /// first, as the store lists them.
  package func underCurrentRootCauseNames() -> [FuzzFailureRecord] {
    var combined: [FuzzFailureRecord] = []
    var indexByKey: [String: Int] = [:]
    var renamedAny = false
    for var record in self {
      if let signature = FailureSignature(text: record.signature),
        let current = RootCauseRename.current(of: signature)
      {
        record.signature = current.description
        renamedAny = true
      }
      let key = "\(record.hostProfile) \(record.signature)"
      if let index = indexByKey[key] {
        combined[index] = combined[index].absorbing(record)
      } else {
        indexByKey[key] = combined.count
        combined.append(record)
      }
    }
    guard renamedAny else { return self }
    // The store's order: count descending, then profile and signature byte by byte.
    return combined.sorted { lhs, rhs in
      if lhs.count != rhs.count { return lhs.count > rhs.count }
      if lhs.hostProfile != rhs.hostProfile {
        return lhs.hostProfile.utf8.lexicographicallyPrecedes(rhs.hostProfile.utf8)
      }
      return lhs.signature.utf8.lexicographicallyPrecedes(rhs.signature.utf8)
    }
  }
}

extension FuzzFailureRecord {
  /// The record under its root cause's current name (``RootCauseRename``), or as it is.
  package func underCurrentRootCauseName() -> FuzzFailureRecord {
    [self].underCurrentRootCauseNames()[0]
  }
}
