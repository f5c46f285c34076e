import Foundation
import VMBusStore

/// A database file of its own for one test, removed (with its WAL and shm) afterwards.
package func withTemporaryPath<T>(_ body: (String) throws -> T) throws -> T {
  let directory = FileManager.default.temporaryDirectory
  let path = directory.appendingPathComponent("vmbus-store-\(UUID().uuidString).sqlite").path
  defer {
    for suffix in ["", "-wal", "-shm", "-journal"] {
      try? FileManager.default.removeItem(atPath: path + suffix)
    }
  }
  return try body(path)
}

/// A fresh store in its own file.
package func withTemporaryStore<T>(_ body: (EventStore) throws -> T) throws -> T {
  try withTemporaryPath { path in try body(try EventStore.open(path: path)) }
}

/// A fixed creation time, so sessions are reproducible.
package let fixedDate = Date(timeIntervalSince1970: 1_800_000_000)

/// A simulated session's info.
package func simulatedInfo(_ name: String = "test", seed: UInt64? = 7) -> SessionInfo {
  SessionInfo(
    name: name, kind: .simulated, scenarioText: "boot linux", seed: seed, createdAt: fixedDate)
}

extension EventStore {
  /// Every stored event of a session, in order.
  package func allEvents(_ session: SessionID) throws -> [StoredEvent] {
    var collected: [StoredEvent] = []
    try events(session: session) { collected.append($0) }
    return collected
  }
}

/// ``withTemporaryPath(_:)`` for async bodies.
package func withTemporaryPathAsync<T>(_ body: (String) async throws -> T) async throws -> T {
  let directory = FileManager.default.temporaryDirectory
  let path = directory.appendingPathComponent("vmbus-store-\(UUID().uuidString).sqlite").path
  defer {
    for suffix in ["", "-wal", "-shm", "-journal"] {
      try? FileManager.default.removeItem(atPath: path + suffix)
    }
  }
  return try await body(path)
}
