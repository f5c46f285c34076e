import Foundation
import Testing
import VMBusHost
import VMBusSim

@testable import VMBusStore

@Suite struct SimulatorEventJSONTests {
  static let foundation: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  static let facts: [SimulatorEvent] =
    EventSamples.simulator
    + BootWorkload.events(boots: 2).compactMap {
      if case .simulator(let fact) = $0 { fact } else { nil }
    }
    + [
      .hypercall(GuestHypercall(payload: []), status: .success),
      .hypercall(
        GuestHypercall(
          connectionID: UInt32.max, messageType: 0, payloadSize: 0, payload: [255, 0, 10, 100]),
        status: HypercallStatus(rawValue: UInt16.max)),
      .signal(connectionID: 0, status: .success),
    ]

  @Test func handWrittenTextIsFoundationsTextAndDecodesBack() throws {
    let json = SimulatorEventJSON()
    for fact in Self.facts {
      let ours = try json.encode(fact)
      #expect(ours == Array(try Self.foundation.encode(fact)), "\(fact)")
      let back = try ours.withUnsafeBytes { try json.decode($0) }
      #expect(back == fact)
      #expect(try JSONDecoder().decode(SimulatorEvent.self, from: Data(ours)) == fact)
    }
  }

  @Test func otherShapesOfTheSameJSONGoThroughFoundation() throws {
    let json = SimulatorEventJSON()
    let spaced = #"{ "signal" : { "status" : 3, "connectionID" : 7 } }"#
    let decoded = try Array(spaced.utf8).withUnsafeBytes { try json.decode($0) }
    #expect(decoded == .signal(connectionID: 7, status: .invalidHypercallInput))
    let outOfRange =
      #"{"hypercall":{"_0":{"connectionID":1,"messageType":1,"payload":[256],"payloadSize":1},"status":0}}"#
    #expect(throws: (any Error).self) {
      try Array(outOfRange.utf8).withUnsafeBytes { try json.decode($0) }
    }
    let leadingZero = #"{"signal":{"connectionID":07,"status":0}}"#
    #expect(throws: (any Error).self) {
      try Array(leadingZero.utf8).withUnsafeBytes { try json.decode($0) }
    }
  }
}
