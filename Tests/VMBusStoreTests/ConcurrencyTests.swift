import Foundation
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting

@testable import VMBusStore

@Suite struct ConcurrencyTests {
  /// A writer appends in small batches through one connection while a read-only store on the
  /// same file (another pool of connections, as another process would have) replays. The
  /// writer keeps going until the reader has read several times.
  @Test func aReaderReadsWhileAWriterAppends() async throws {
    try await withTemporaryPathAsync { path in
      let workload = BootWorkload.events(boots: 4)
      func event(_ seq: Int) -> HostEvent { workload[(seq - 1) % workload.count] }
      let store = try EventStore.open(path: path)
      let reader = try EventStore.openReadOnly(path: path)
      let reads = Counter()

      let writing = Task.detached {
        var writer = try store.beginSession(
          simulatedInfo("appending"), options: WriterOptions(snapshotInterval: 64, batchSize: 50))
        while writer.count < workload.count || reads.value < 10 {
          try writer.append(event(writer.count + 1))
          if writer.count.isMultiple(of: 50) { await Task.yield() }
        }
        return try writer.finish()
      }
      var lastSeen = 0
      while reads.value < 10 {
        guard let appending = try reader.sessions().first else {
          await Task.yield()
          continue
        }
        let count = appending.eventCount
        #expect(count >= lastSeen)
        lastSeen = count
        var seen = 0
        try reader.events(session: appending.id) { stored in
          #expect(stored.event == event(stored.seq))
          seen += 1
        }
        #expect(seen >= count)
        if count > 0 {
          let expected = HostState.fold((1...count).map(event)).state
          #expect(try reader.state(session: appending.id, at: count) == expected)
        }
        reads.increment()
        await Task.yield()
      }
      let summary = try await writing.value
      #expect(summary.eventCount >= workload.count)
      #expect(try reader.verifySnapshots(session: summary.id) == [])
    }
  }

  /// While a write transaction is open (here an import in progress), another connection
  /// reads the state before it, without waiting and without seeing the partial import.
  @Test func readersSeeTheStateBeforeAnOpenWriteTransaction() throws {
    try withTemporaryPath { path in
      let store = try EventStore.open(path: path)
      var earlier = try store.beginSession(simulatedInfo("earlier"))
      try earlier.append(contentsOf: BootWorkload.events(boots: 1))
      let before = try earlier.finish()
      let reader = try EventStore.openReadOnly(path: path)
      let imported = try store.importSession(
        SessionInfo(name: "import", kind: .imported, createdAt: fixedDate),
        options: WriterOptions(batchSize: 10)
      ) { writer in
        try writer.append(contentsOf: BootWorkload.events(boots: 2))
        #expect(try reader.sessions() == [before])
        #expect(try reader.allEvents(before.id).count == before.eventCount)
        return [:]
      }
      #expect(try reader.sessions() == [before, imported])
    }
  }
}

/// A count one task increments and another reads.
private final class Counter: Sendable {
  private let lock = NSLock()
  // Safe: only read or written while holding `lock`.
  nonisolated(unsafe) private var count = 0

  var value: Int { lock.withLock { count } }
  func increment() { lock.withLock { count += 1 } }
}
