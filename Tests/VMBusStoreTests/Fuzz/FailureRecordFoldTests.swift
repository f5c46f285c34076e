import Testing
import VMBusSim
import VMBusTesting

@testable import VMBusStore

/// ``FuzzFailureRecord/absorbing(_:)`` is the store's upsert rule in memory: readers combine
/// rows a root-cause rename made one with it, so the two must agree.
@Suite struct FailureRecordFoldTests {
  @Test("folding records in memory gives the row the store keeps for them")
  func absorbingAgreesWithTheUpsert() throws {
    try withTemporaryStore { store in
      var sessions: [SessionID] = []
      for index in 0..<3 {
        var writer = try store.beginSession(simulatedInfo("case \(index)"))
        try writer.append(contentsOf: BootWorkload.events(boots: 1).prefix(2))
        sessions.append(writer.sessionID)
        try writer.finish()
      }
      // Every order of records that differ in seed, and in whether they carry a case.
      var random = SplitMix64(seed: 11)
      for trial in 0..<200 {
        let signature = "invariant trial.\(trial) @ sim_migrated in listen"
        let records = (0..<Int(random.next() % 4 + 2)).map { index in
          let session = random.next() % 3 == 0 ? nil : sessions[Int(random.next() % 3)]
          return FuzzFailureRecord(
            hostProfile: "qemu", signature: signature, property: "invariant",
            count: Int(random.next() % 5 + 1), firstSeed: random.next() % 6,
            detail: "detail \(index)", session: session,
            regressionFile: session == nil ? nil : "file-\(index).yaml",
            regressionText: "text \(index)",
            exploredDepth: random.next() % 2 == 0 ? nil : Int(random.next() % 40))
        }
        var stored: FuzzFailureRecord?
        for record in records { stored = try store.recordFuzzFailure(record) }
        let folded = records.dropFirst().reduce(records[0]) { $0.absorbing($1) }
        #expect(folded == stored, "trial \(trial): \(records)")
      }
    }
  }
}
