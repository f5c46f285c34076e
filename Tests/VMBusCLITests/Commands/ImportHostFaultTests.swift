import Foundation
import Testing

/// `vmbus-sim import` of a QEMU log whose own lines prove a host fault, then `verify` and
/// `replay --json`: the state faults at the line after which QEMU crashed, and any line after
/// it is an `event_after_host_fault` violation.
@Suite("import: host faults in a log")
struct ImportHostFaultTests {
  /// A log that proves a crash at `faultSeq`, one more line after it, and the fault.
  struct Case: Sendable, CustomStringConvertible {
    var description: String
    var log: String
    var faultSeq: Int
    var fault: String
  }

  static let cases = [
    Case(
      description: "§9.12 target vp -1, then VERSION_RESPONSE (hyperv_post_msg on NULL sint_route)",
      log: """
        4152@1591800412.004512:vmbus_recv_message type 14 size 40
        4152@1591800412.004530:vmbus_process_incoming_message type 14
        4152@1591800412.004561:vmbus_initiate_contact version 4.0 target vp -1 mon pages 0x7e000,0x7f000 int page 0x7d000
        4152@1591800412.004600:vmbus_post_msg type 15 size 12
        4153@1591800412.004700:vmbus_msg_cb message status 0

        """,
      faultSeq: 4, fault: "VERSION_RESPONSE posted with no SINT route (NULL dereference)"),
    Case(
      description: "§9.42 UNLOAD after msg_cb -6 ran vmbus_deinit, with no contact since",
      log: """
        vmbus_recv_message type 14 size 40
        vmbus_process_incoming_message type 14
        vmbus_initiate_contact version 4.0 target vp 0 mon pages 0x7e000,0x7f000 int page 0x7d000
        vmbus_post_msg type 15 size 12
        vmbus_msg_cb message status 0
        vmbus_recv_message type 3 size 8
        vmbus_process_incoming_message type 3
        vmbus_terminate_offers\u{20}
        vmbus_post_msg type 4 size 8
        vmbus_msg_cb message status -6
        message delivery fatal failure: -6; aborting vmbus
        vmbus_recv_message type 16 size 8
        vmbus_process_incoming_message type 16
        vmbus_post_msg type 17 size 8
        vmbus_msg_cb message status 0

        """,
      faultSeq: 13, fault: "UNLOAD_RESPONSE posted with no SINT route (NULL dereference)"),
  ]

  @Test(arguments: cases)
  func verifyAndReplayReportTheFault(_ fault: Case) async throws {
    try await TemporaryDirectory.with { dir in
      let log = try dir.write("crash.log", fault.log)
      let imported = try await dir.run("import", log, "--json")
      #expect(imported.status == 0, "\(imported)")
      let events = fault.faultSeq + 1
      #expect(try JSON.parse(imported.stdout)["events"] == .integer(Int64(events)))

      let verified = try await dir.run("verify", "1", "--json")
      #expect(verified.status == 1)
      let violations = try JSON.parse(verified.stdout)["violations"]?.elements ?? []
      try #require(violations.count == 1, "\(verified.stdout)")
      #expect(violations[0]["seq"] == .integer(Int64(events)))
      #expect(violations[0]["rule"] == "event_after_host_fault")
      #expect(violations[0]["message"]?.string?.hasSuffix("\"\(fault.fault)\"") == true)

      let steps = try JSON.parseLines(try await dir.run("replay", "1", "--json").stdout)
      try #require(steps.count == events)
      let before = steps[fault.faultSeq - 2]
      #expect(before["state"]?["faulted"] == false)
      let crash = steps[fault.faultSeq - 1]
      #expect(crash["seq"] == .integer(Int64(fault.faultSeq)))
      #expect(crash["state"]?["faulted"] == true)
      #expect(crash["state"]?["fault"] == .string(fault.fault))
      #expect(crash["changes"]?.elements.contains(.string("HOST FAULT: \(fault.fault)")) == true)
      #expect(crash["violations"] == nil)
      #expect(steps[events - 1]["violations"]?[0]?["rule"] == "event_after_host_fault")
    }
  }

  @Test func aLogThatStartsWithoutTheContactProvesNoFault() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(
        """
        vmbus_recv_message type 16 size 8
        vmbus_process_incoming_message type 16
        vmbus_post_msg type 17 size 8
        vmbus_msg_cb message status 0

        """)
      let verified = try await dir.run("verify", "1", "--json")
      #expect(verified.status == 0)
      #expect(verified.stdout == "{\"session\": 1, \"events\": 4, \"violations\": []}\n")
      let steps = try JSON.parseLines(try await dir.run("replay", "1", "--json").stdout)
      #expect(steps.map { $0["state"]?["faulted"] } == Array(repeating: false, count: 4))
    }
  }
}
