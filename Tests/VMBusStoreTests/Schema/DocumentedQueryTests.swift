import Foundation
import GRDB
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting
import VMBusWire

@testable import VMBusStore

/// Runs every `sql` block of docs/store.md against a known database and checks its rows.
@Suite struct DocumentedQueryTests {
  /// The `sql` blocks of docs/store.md, keyed by their first line's `-- title`.
  static func documentedQueries() throws -> [String: String] {
    // Tests/VMBusStoreTests/Schema/DocumentedQueryTests.swift → the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("docs/store.md"), encoding: .utf8)
    var queries: [String: String] = [:]
    for block in text.components(separatedBy: "```sql\n").dropFirst() {
      let sql = block.components(separatedBy: "```").first ?? ""
      let title = sql.split(separator: "\n").first.map(String.init) ?? ""
      queries[title.replacingOccurrences(of: "-- ", with: "")] = sql
    }
    return queries
  }

  @Test func everyDocumentedQueryReturnsTheExpectedRows() throws {
    try withTemporaryStore { store in
      let workload = BootWorkload.events(boots: 2)
      var first = try store.beginSession(simulatedInfo("boot"))
      try first.append(contentsOf: workload)
      try first.finish()
      var second = try store.beginSession(
        SessionInfo(name: "samples", kind: .imported, createdAt: fixedDate))
      try second.append(contentsOf: EventSamples.all)
      try second.finish()
      var third = try store.beginSession(simulatedInfo("running"))
      try third.append(contentsOf: workload.prefix(5))
      try third.flush()
      // Two campaigns' guest errors, as two merged shards leave them.
      let shards: [[String: (count: Int, lowestSeed: UInt64)]] = [
        ["guest.request_after_unload": (3, 7), "guest.x": (1, 20)],
        ["guest.request_after_unload": (2, 4)],
      ]
      for rules in shards {
        let campaign = try store.beginFuzzCampaign(identity: "{}")
        _ = try store.commitFuzzCampaign(
          campaign,
          checkpoint: FuzzCampaignCheckpoint(
            seedsDone: 30, guestErrors: UInt64(rules.values.map(\.count).reduce(0, +)),
            tallies: [:], guestErrorRules: rules),
          finding: nil, finished: true)
      }
      let sessions: [(id: Int64, events: [HostEvent])] = [
        (1, workload), (2, EventSamples.all), (3, Array(workload.prefix(5))),
      ]

      func expected(_ match: (HostEvent) -> [DatabaseValue]?) -> [[DatabaseValue]] {
        sessions.flatMap { session in
          session.events.enumerated().compactMap { index, event in
            match(event).map { [session.id.databaseValue, (index + 1).databaseValue] + $0 }
          }
        }
      }
      var counts: [String: Int] = [:]
      for event in workload { counts[event.name, default: 0] += 1 }
      let busiest = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3)

      let expectations: [String: [[DatabaseValue]]] = [
        "all opens of channel 3": expected {
          guard case .trace(.openChannel(ChannelID(3), let gpadl, let vp)) = $0 else { return nil }
          return [Int64(gpadl.rawValue).databaseValue, Int64(vp).databaseValue]
        },
        "every msg_cb with status -11 (the guest's slot was busy)": expected {
          guard case .trace(.msgCb(-11)) = $0 else { return nil }
          return []
        },
        "sessions that are still in progress": [
          [Int64(3).databaseValue, "running".databaseValue, 5.databaseValue]
        ],
        "device pointers as QEMU printed them": expected {
          guard case .trace(.sendOffer(let chan, let dev)) = $0 else { return nil }
          return [
            Int64(chan.rawValue).databaseValue,
            ("0x" + String(dev.rawValue, radix: 16)).databaseValue,
          ]
        },
        "hypercalls the host refused": expected {
          guard case .simulator(.hypercall(_, let status)) = $0, status != .success else {
            return nil
          }
          return [Int64(status.rawValue).databaseValue]
        },
        "every INITIATE_CONTACT the guest posted (message type 14, the payload's first 4 bytes)":
          expected {
            guard case .simulator(.hypercall(let call, _)) = $0,
              call.payload.prefix(4) == [14, 0, 0, 0]
            else { return nil }
            return [Int64(call.payloadSize).databaseValue]
          },
        // The names docs/store.md documents, in EventSamples' order of host faults.
        "where the host crashed, and why": zip(
          sessions[1].events.indices.filter {
            if case .simulator(.hostFault) = sessions[1].events[$0] { true } else { false }
          },
          [
            "post_without_route", "unknown_vcpu", "body_for_full_gpadl",
            "callback_without_message", "ring_offset_out_of_bounds", "no_object_for_bus_state",
            "route_alive_at_synic_reset", "route_alive_at_synic_reset",
          ]
        ).map { index, name in
          [Int64(2).databaseValue, (index + 1).databaseValue, name.databaseValue]
        },
        "the busiest trace points of session 1": busiest.map {
          [$0.key.databaseValue, $0.value.databaseValue]
        },
        "guest errors by rule over every campaign (merged shards add up)": [
          ["guest.request_after_unload".databaseValue, 5.databaseValue, 4.databaseValue],
          ["guest.x".databaseValue, 1.databaseValue, 20.databaseValue],
        ],
      ]

      let queries = try Self.documentedQueries()
      #expect(Set(queries.keys) == Set(expectations.keys))
      let reader = try EventStore.openReadOnly(path: store.path)
      for (title, sql) in queries {
        let rows = try reader.pool.read { db in
          try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) }
        }
        #expect(rows == expectations[title], "\(title)")
        #expect(!rows.isEmpty, "\(title)")
      }
      _ = consume third
    }
  }
}
