import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting

@testable import VMBusStore

@Suite struct StateTests {
  @Test(arguments: [1, 7, 64])
  func stateAtEverySeqEqualsTheFoldFromScratch(snapshotInterval: Int) throws {
    try withTemporaryStore { store in
      let events = BootWorkload.events(boots: 4)
      var writer = try store.beginSession(
        simulatedInfo(), options: WriterOptions(snapshotInterval: snapshotInterval, batchSize: 97))
      try writer.append(contentsOf: events)
      let id = try writer.finish().id
      var state = HostState()
      #expect(try store.state(session: id, at: 0) == state)
      for (index, event) in events.enumerated() {
        _ = state.apply(event)
        #expect(try store.state(session: id, at: index + 1) == state, "seq \(index + 1)")
      }
    }
  }

  @Test func stateOfAnUnfinishedSessionCoversItsCommittedEvents() throws {
    try withTemporaryStore { store in
      let events = BootWorkload.events(boots: 2)
      var writer = try store.beginSession(
        simulatedInfo(), options: WriterOptions(snapshotInterval: 16, batchSize: 50))
      try writer.append(contentsOf: events.prefix(120))
      let id = writer.sessionID
      #expect(try store.state(session: id, at: 100) == HostState.fold(events.prefix(100)).state)
      #expect(
        throws: StoreError.sequenceOutOfRange(
          path: store.path, session: id, seq: 101, eventCount: 100)
      ) { try store.state(session: id, at: 101) }
      _ = consume writer
    }
  }

  @Test func verifySnapshotsPassesAnUntouchedSession() throws {
    try withTemporaryStore { store in
      let id = try storeWorkload(store)
      #expect(try store.verifySnapshots(session: id) == [])
    }
  }

  @Test func verifySnapshotsCatchesATamperedHash() throws {
    try withTemporaryStore { store in
      let id = try storeWorkload(store)
      let folded = HostState.fold(BootWorkload.events(boots: 3).prefix(64)).state.digest.hex
      try store.pool.write { db in
        try db.execute(sql: "UPDATE snapshots SET state_hash = '0123456789abcdef' WHERE seq = 64")
      }
      #expect(
        try store.verifySnapshots(session: id) == [
          SnapshotMismatch(
            kind: .snapshotHash, seq: 64, storedHash: "0123456789abcdef", foldedHash: folded)
        ])
    }
  }

  @Test func verifySnapshotsCatchesATamperedState() throws {
    try withTemporaryStore { store in
      let id = try storeWorkload(store)
      // The state of seq 32 under seq 96's (correct) hash.
      try store.pool.write { db in
        try db.execute(
          sql: """
            UPDATE snapshots SET state = (SELECT state FROM snapshots WHERE seq = 32)
            WHERE seq = 96
            """)
      }
      let mismatches = try store.verifySnapshots(session: id)
      #expect(mismatches.map(\.kind) == [.snapshotState])
      #expect(mismatches.map(\.seq) == [96])
    }
  }

  @Test func verifySnapshotsCatchesATamperedFinalHash() throws {
    try withTemporaryStore { store in
      let id = try storeWorkload(store)
      try store.pool.write { db in
        try db.execute(sql: "UPDATE sessions SET final_state_hash = 'ffffffffffffffff'")
      }
      #expect(try store.verifySnapshots(session: id).map(\.kind) == [.finalStateHash])
    }
  }

  @Test func aSnapshotThatDoesNotDecodeIsReported() throws {
    try withTemporaryStore { store in
      let id = try storeWorkload(store)
      try store.pool.write { db in
        try db.execute(sql: "UPDATE snapshots SET state = x'00' WHERE seq = 64")
      }
      #expect(throws: StoreError.self) { try store.state(session: id, at: 70) }
      #expect(
        try store.state(session: id, at: 63)
          == HostState.fold(BootWorkload.events(boots: 3).prefix(63)).state)
    }
  }

  /// Three boots with a snapshot every 32 events; the session's id.
  private func storeWorkload(_ store: EventStore) throws -> SessionID {
    var writer = try store.beginSession(
      simulatedInfo(), options: WriterOptions(snapshotInterval: 32))
    try writer.append(contentsOf: BootWorkload.events(boots: 3))
    return try writer.finish().id
  }
}
