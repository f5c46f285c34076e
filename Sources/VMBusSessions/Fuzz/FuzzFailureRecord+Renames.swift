import VMBusSim
import VMBusStore

extension FuzzFailureRecord {
  /// The record under its root cause's current name (``RootCauseRename``), or as it is.
  package func underCurrentRootCauseName() -> FuzzFailureRecord {
    guard let signature = FailureSignature(text: signature),
      let current = RootCauseRename.current(of: signature)
    else { return self }
    var renamed = self
    renamed.signature = current.description
    return renamed
  }
}

extension [FuzzFailureRecord] {
  /// The failures with every signature under its root cause's current name
  /// (``RootCauseRename``). A database written before a rename holds rows under the former
  /// name, and one a later build added to holds the same failure under both: rows that
  /// become one are combined as the store combines a failure recorded twice. Most frequent
  /// first, as the store lists them.
  package func underCurrentRootCauseNames() -> [FuzzFailureRecord] {
    let renamed = map { $0.underCurrentRootCauseName() }
    guard renamed != self else { return self }
    var combined: [FuzzFailureRecord] = []
    var indexByKey: [String: Int] = [:]
    for record in renamed {
      let key = "\(record.hostProfile) \(record.signature)"
      if let index = indexByKey[key] {
        combined[index] = combined[index].absorbing(record)
      } else {
        indexByKey[key] = combined.count
        combined.append(record)
      }
    }
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
