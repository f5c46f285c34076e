import VMBusWire

/// Each fault's root cause: the QEMU function and the check or path in it that crashes.
extension HostFault {
  /// The root cause of the fault, given the last main-loop trace point before it (`point`).
  ///
  /// The point tells apart faults whose case is shared by two code paths: an unknown vCPU in
  /// `vmbus_init` (INITIATE_CONTACT, §9 entry 13) or in `open_channel` (OPENCHANNEL, §9
  /// entry 37); a missing object in a state's send function or in its complete function
  /// (run by `vmbus_msg_cb`, §7.4).
  public func rootCause(at point: TracePoint?) -> RootCause {
    switch self {
    case .postWithoutRoute(let type):
      switch type {
      // §9 entry 12: `vmbus_init` makes no route for target_vcpu 0xFFFFFFFF, and
      // `send_handshake`'s `post_msg` hands `hyperv_post_msg` a NULL route.
      case .versionResponse: RootCause("send_handshake.no_sint_route")
      // §9 entry 42: UNLOAD with no route since the last reset; `send_unload` posts anyway.
      case .unloadResponse: RootCause("send_unload.no_sint_route")
      default: RootCause("post_msg.no_sint_route")
      }
    case .unknownVCPU:
      switch point {
      // §9 entry 13: `vmbus_init` → `hyperv_sint_route_new` finds no vCPU for target_vcpu.
      case .initiateContact: RootCause("vmbus_init.unknown_vcpu")
      // §9 entry 37: `open_channel` → `make_sint_route` → `hyperv_sint_route_new` for a
      // target_vp with no vCPU.
      case .openChannel: RootCause("open_channel.unknown_vcpu")
      default: RootCause("sint_route_new.unknown_vcpu")
      }
    // §9 entry 24: `handle_gpadl_body`: `assert(num_gfns_left)`.
    case .bodyForFullGpadl: RootCause("gpadl_body.num_gfns_left_assert")
    // §9 entry 46: `vmbus_msg_cb` asserts `msg_in_progress`.
    case .callbackWithoutMessage: RootCause("msg_cb.msg_in_progress_assert")
    // §9 entry 33: `open_channel` → `ringbufs_init`: `num_gfns <= ringbuf_send_offset + 1`
    // wraps in u32 for 0xFFFFFFFF, so the check passes.
    case .ringOffsetOutOfBounds: RootCause("ringbufs_init.send_offset_wrap")
    // §7.4: a send or complete function finds no object (`g_assert_not_reached`).
    case .noObjectForBusState(let state):
      RootCause("\(point == .msgCb ? "complete" : "send")_\(state).no_object")
    case .routeAliveAtSynICReset(let heldByMessage):
      // hyperv.c `synic_reset`: `assert(QLIST_EMPTY(&synic->sint_routes))` (QEMU 7.1+).
      heldByMessage
        ? RootCause("synic_reset.route_held_by_message")
        : RootCause("synic_reset.before_devices")
    // `vmbus_post_load` fails when `vmbus_init` cannot re-create the route.
    case .migrationRouteFailed: RootCause("vmbus_post_load.sint_route_failed")
    }
  }
}
