import VMBusWire

/// Host faults recognised by the fold, at the trace event where QEMU crashes.
///
/// QEMU writes the trace line and then aborts or dereferences NULL, so the line is the last
/// one it writes: the fold sets ``HostState/fault`` there, and every later event is an
/// `event_after_host_fault` violation. A fault is claimed only where the session proves its
/// precondition (docs/host-model.md, "Host faults in bare traces"):
///
/// * `vmbus_post_msg` with no SINT route (§9 entries 12 and 42), once ``HostState/routeKnown``;
/// * `vmbus_gpadl_body` for a GPADL the session shows full (§9 entry 24);
/// * `vmbus_initiate_contact` and `vmbus_open_channel` routed to a vCPU that does not exist
///   (§9 entries 13 and 37), and `vmbus_open_channel` with ring_buffer_offset 0xFFFFFFFF
///   (§9 entry 33): only when the session records the machine and the payload (a
///   simulation); a bare trace shows neither.
///
/// Faults with no trace line of their own (a callback with nothing in flight, a send
/// function with no object) or that need an untraced outside reset are left to the
/// simulator's `sim_host_fault`.
extension HostState {
  /// QEMU crashes at the trace event being folded.
  mutating func traceFault(_ fault: HostFault) {
    self.fault = fault
    faultJustTraced = true
  }
}
