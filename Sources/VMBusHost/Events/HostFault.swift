import VMBusWire

/// A point where QEMU aborts or dereferences NULL; after it the host takes no more input.
public enum HostFault: Hashable, Sendable, Codable, CustomStringConvertible {
  /// `post_msg` with no SINT route (docs/qemu-reference.md §9.12, §9.42): VERSION_RESPONSE
  /// after target vCPU 0xFFFFFFFF, or UNLOAD_RESPONSE before any successful contact.
  case postWithoutRoute(MessageType)
  /// A SINT route to a VP index with no vCPU (§9 entries 13 and 37).
  case unknownVCPU(UInt32)
  /// GPADL_BODY for a GPADL that is already full trips `assert(num_gfns_left)` (§9 entry 24).
  case bodyForFullGpadl(GpadlID)
  /// A delivery callback with nothing in flight trips its assertion (§9 entry 46).
  case callbackWithoutMessage
  /// OPENCHANNEL with ring_buffer_offset 0xFFFFFFFF passes the ring check by u32 wrap and
  /// reads `gfns[0xFFFFFFFF]` (§9 entry 33).
  case ringOffsetOutOfBounds(ChannelID)
  /// A send or complete function found no object for its bus state (`g_assert_not_reached`),
  /// reachable only through an outside reset (§7.4).
  case noObjectForBusState(BusState)
  /// A machine reset found a SINT route still on the SynIC's list and failed `synic_reset`'s
  /// `assert(QLIST_EMPTY(&synic->sint_routes))` (hyperv.c since 64ddecc88b, QEMU 7.1).
  /// `heldByMessage`: the bus had dropped its own reference but a staged message still held
  /// one (`hyperv_post_msg` to `sint_msg_bh`); false: QEMU 7.1 reset the SynIC before the
  /// devices, so the bus's own route was still there.
  case routeAliveAtSynICReset(heldByMessage: Bool)
  /// Loading a migrated bus failed: `vmbus_post_load` → `vmbus_init` could not re-create
  /// the SINT route to this vCPU (no SynIC), returned -ENOMEM and the destination gave up.
  case migrationRouteFailed(UInt32)

  public var description: String {
    switch self {
    case .postWithoutRoute(let type): "\(type.name) posted with no SINT route (NULL dereference)"
    case .unknownVCPU(let vp): "SINT route to vCPU \(vp), which does not exist (NULL dereference)"
    case .bodyForFullGpadl(let id): "GPADL_BODY for full gpadl \(id) (assertion num_gfns_left)"
    case .callbackWithoutMessage: "delivery callback with no message in flight (assertion)"
    case .ringOffsetOutOfBounds(let chan):
      "channel \(chan): ring_buffer_offset 0xffffffff reads gfns[0xffffffff] (out of bounds)"
    case .noObjectForBusState(let state): "no object to send or complete in \(state) (abort)"
    case .routeAliveAtSynICReset(let held):
      held
        ? "machine reset while a staged message holds the SINT route (assertion in synic_reset)"
        : "machine reset with the bus's SINT route still on the SynIC (assertion in synic_reset)"
    case .migrationRouteFailed(let vp):
      "migration load failed: no SINT route to vCPU \(vp) (vmbus_post_load, vmbus_init returned -ENOMEM)"
    }
  }
}
