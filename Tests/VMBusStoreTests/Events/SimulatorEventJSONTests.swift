import Foundation
import Testing
import VMBusHost
import VMBusSim
import VMBusTesting

@testable import VMBusStore

@Suite struct SimulatorEventJSONTests {
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
      .deviceRealized(
        DeviceConfig(
          name: "odd \"name\"\\ with\ttab and é", classID: KnownDeviceClass.kvp.classID,
          instanceID: EventSamples.instance)),
    ]

  static func decode(_ name: String, _ text: String) throws -> SimulatorEvent {
    try Array(text.utf8).withUnsafeBytes { try SimulatorEventJSON().decode(name: name, $0) }
  }

  @Test func everyFactRoundTripsAsAFlatObjectOfItsArguments() throws {
    let json = SimulatorEventJSON()
    for fact in Self.facts {
      let text = json.encode(fact)
      #expect(try text.withUnsafeBytes { try json.decode(name: fact.name, $0) } == fact)
      // Valid JSON to any reader, with exactly the documented keys.
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(text)) as? [String: Any], "\(fact)")
      #expect(Set(object.keys) == Set(fact.arguments.map(\.name)), "\(fact)")
    }
  }

  @Test func theStoredShapeIsTheDocumentedOne() {
    let json = SimulatorEventJSON()
    let hypercall = SimulatorEvent.hypercall(
      GuestHypercall(payload: [0x0E, 0, 0, 0, 0xAB]), status: .insufficientBuffers)
    #expect(
      String(decoding: json.encode(hypercall), as: UTF8.self)
        == #"{"connection_id":1,"message_type":1,"payload_size":5,"payload":"0e000000ab","status":19}"#
    )
    #expect(
      String(decoding: json.encode(.hostFault(.unknownVCPU(9))), as: UTF8.self)
        == #"{"fault":"unknown_vcpu","vcpu":9,"cause":"SINT route to vCPU 9, which does not exist (NULL dereference)"}"#
    )
    #expect(String(decoding: json.encode(.busRunIdle), as: UTF8.self) == "{}")
  }

  @Test func spacingAndKeyOrderDoNotMatterButTypesAndRangesDo() throws {
    #expect(
      try Self.decode("sim_signal", #" { "status" : 3 , "connection_id" : 7 } "#)
        == .signal(connectionID: 7, status: .invalidHypercallInput))
    #expect(
      try Self.decode(
        "sim_hypercall",
        #"{"connection_id":1,"message_type":1,"payload_size":2,"payload":"ABff","status":0}"#)
        == .hypercall(GuestHypercall(payload: [0xAB, 0xFF]), status: .success))
    let refused: [(name: String, text: String, reason: String)] = [
      ("sim_signal", #"{"connection_id":07,"status":0}"#, "leading zero"),
      ("sim_signal", #"{"connection_id":4294967296,"status":0}"#, "does not fit 32 bits"),
      ("sim_signal", #"{"connection_id":1}"#, "no status"),
      ("sim_signal", #"{"connection_id":1,"status":0,"status":0}"#, "duplicate key"),
      ("sim_signal", #"{"connection_id":-1,"status":0}"#, "expected a value"),
      ("sim_signal", #"{"connection_id":"1","status":0}"#, "is not an unsigned integer"),
      (
        "sim_hypercall",
        #"{"connection_id":1,"message_type":1,"payload_size":1,"payload":"abc","status":0}"#,
        "hex digits"
      ),
      ("sim_host_fault", #"{"fault":"melted"}"#, "not a host fault"),
      (
        "sim_machine_started",
        #"{"profile":"qemu","vcpus":2,"vcpus_without_synic":[],"qemu_release":"9.9"}"#,
        "not a modelled QEMU release"
      ),
      ("sim_teleport", "{}", "not a simulator event"),
      ("sim_bus_run_idle", "{} x", "text after the object"),
      ("sim_bus_run_idle", #"{"a":"\ud800"}"#, "lone surrogate"),
      ("sim_bus_run_idle", "", "expected '{'"),
    ]
    for (name, text, reason) in refused {
      do {
        let decoded = try Self.decode(name, text)
        Issue.record("\(text) decoded as \(decoded)")
      } catch {
        #expect("\(error)".hasPrefix(name) && "\(error)".contains(reason), "\(text): \(error)")
      }
    }
  }

  @Test func theLegacyReaderTakesWhatEarlierBuildsWrote() throws {
    let foundation = JSONEncoder()
    foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let legacy = LegacySimulatorEventJSON()
    for fact in Self.facts {
      let old = Array(try foundation.encode(fact))
      #expect(try old.withUnsafeBytes { try legacy.decode($0) } == fact)
    }
  }
}
