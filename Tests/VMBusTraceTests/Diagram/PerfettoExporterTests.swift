import Foundation
import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct PerfettoExporterTests {
  /// The trace-event objects of an export.
  static func events(
    _ events: [(seq: Int, event: HostEvent)], timestamps: Bool
  ) throws -> [[String: Any]] {
    var exporter = PerfettoExporter(title: "session 1")
    for (seq, event) in events {
      exporter.add(
        seq: seq, event: event, timestampNanos: timestamps ? Int64(seq / 2) * 1_000 : nil,
        text: event.name)
    }
    let object = try JSONSerialization.jsonObject(with: Data(exporter.finish()))
    let root = try #require(object as? [String: Any])
    return try #require(root["traceEvents"] as? [[String: Any]])
  }

  static func micros(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? -1 }

  @Test(arguments: [false, true])
  func tracksSlicesAndFlowsAreWellFormed(timestamps: Bool) throws {
    let all = [DiagramFixtures.bareEvents, DiagramFixtures.simulated()]
    for input in all {
      let events = try Self.events(input, timestamps: timestamps)
      let names = events.filter { $0["name"] as? String == "thread_name" }
        .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
      #expect(Array(names.prefix(3)) == ["guest", "host (QEMU main loop)", "bus"])
      #expect(names.contains("channel 1"))
      // Slices on one track never overlap: each ends before the next begins, except nested.
      let slices = events.filter { $0["ph"] as? String == "X" }
      var byTrack: [Int: [(Double, Double)]] = [:]
      for slice in slices {
        let start = Self.micros(slice["ts"])
        let duration = Self.micros(slice["dur"])
        #expect(duration > 0)
        byTrack[(slice["tid"] as? Int) ?? -1, default: []].append((start, start + duration))
      }
      for (_, spans) in byTrack {
        let sorted = spans.sorted { $0.0 < $1.0 }
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.1 <= b.0 + 1e-9) }
      }
      // One guest slice per guest message; flows start on the guest track.
      let diagram = SessionDiagram.build(input)
      let guest = diagram.rows.compactMap(\.message).count { $0.direction == .guestToHost }
      #expect(slices.count { $0["tid"] as? Int == 1 } == guest)
      let starts = Set(
        slices.filter { $0["flow_out"] as? Bool == true && $0["flow_in"] == nil }
          .compactMap { $0["bind_id"] as? Int })
      let arrivals = slices.filter { $0["flow_in"] as? Bool == true }
        .compactMap { $0["bind_id"] as? Int }
      #expect(!arrivals.isEmpty)
      #expect(arrivals.allSatisfy { starts.contains($0) })
      #expect(events.contains { $0["ph"] as? String == "C" && $0["name"] as? String == "rx queue" })
    }
  }

  @Test func aHostFaultIsAGlobalInstantAndViolationsAreMarked() throws {
    let simulated = try Self.events(DiagramFixtures.simulated(), timestamps: true)
    #expect(
      simulated.contains {
        $0["ph"] as? String == "i" && $0["s"] as? String == "g"
          && ($0["name"] as? String)?.hasPrefix("HOST FAULT") == true
      })
    let bare = try Self.events(DiagramFixtures.bareEvents, timestamps: false)
    #expect(bare.contains { $0["name"] as? String == "violation: callback_without_message" })
  }
}
