import Testing
import VMBusWire

@testable import VMBusHost

/// Each host fault's root cause names QEMU's function and the check that crashes in it.
@Suite("Host fault root causes")
struct HostFaultRootCauseTests {
  /// (fault, last main-loop trace point before it, root cause), one row per QEMU code path.
  static let table: [(HostFault, TracePoint?, String)] = [
    // §9.12: vmbus_init makes no route for target_vcpu 0xFFFFFFFF; send_handshake posts.
    (.postWithoutRoute(.versionResponse), .postMsg, "send_handshake.no_sint_route"),
    // §9.42: send_unload posts UNLOAD_RESPONSE with no route since the last reset.
    (.postWithoutRoute(.unloadResponse), .postMsg, "send_unload.no_sint_route"),
    (.postWithoutRoute(.offerChannel), .postMsg, "post_msg.no_sint_route"),
    // §9.13: handle_initiate_contact → vmbus_init → hyperv_sint_route_new, no such vCPU.
    (.unknownVCPU(64), .initiateContact, "vmbus_init.unknown_vcpu"),
    // §9.37: handle_open_channel → open_channel makes a route to a target_vp with no vCPU.
    (.unknownVCPU(3), .openChannel, "open_channel.unknown_vcpu"),
    // §9.24: handle_gpadl_body's assert(num_gfns_left).
    (.bodyForFullGpadl(GpadlID(7)), .gpadlBody, "gpadl_body.num_gfns_left_assert"),
    // §9.46: vmbus_msg_cb asserts msg_in_progress.
    (.callbackWithoutMessage, .postMsg, "msg_cb.msg_in_progress_assert"),
    // §9.33: ringbufs_init's `ringbuf_send_offset + 1` wraps in u32.
    (.ringOffsetOutOfBounds(ChannelID(1)), .openChannel, "ringbufs_init.send_offset_wrap"),
    // §7.4: send_open_channel / complete_open_channel find no OPENING channel.
    (.noObjectForBusState(.openChannel), .openChannel, "send_open_channel.no_object"),
    (.noObjectForBusState(.openChannel), .msgCb, "complete_open_channel.no_object"),
    (.noObjectForBusState(.createGpadl), .gpadlBody, "send_create_gpadl.no_object"),
    (.noObjectForBusState(.teardownGpadl), .msgCb, "complete_teardown_gpadl.no_object"),
    // hyperv.c synic_reset: assert(QLIST_EMPTY(&synic->sint_routes)) (QEMU 7.1+).
    (.routeAliveAtSynICReset(heldByMessage: true), nil, "synic_reset.route_held_by_message"),
    (.routeAliveAtSynICReset(heldByMessage: false), nil, "synic_reset.before_devices"),
  ]

  @Test("each fault maps to the QEMU function and check it crashes in", arguments: table.indices)
  func rootCause(row: Int) {
    let (fault, point, cause) = Self.table[row]
    #expect(fault.rootCause(at: point) == RootCause(cause), "\(fault)")
  }

  @Test("§9 entries 12 and 42 are distinct code paths with distinct causes; 13 and 37 too")
  func distinctEntries() {
    #expect(
      HostFault.postWithoutRoute(.versionResponse).rootCause(at: .postMsg)
        != HostFault.postWithoutRoute(.unloadResponse).rootCause(at: .postMsg))
    #expect(
      HostFault.unknownVCPU(64).rootCause(at: .initiateContact)
        != HostFault.unknownVCPU(64).rootCause(at: .openChannel))
  }
}
