/// Which QEMU the `qemu` profile models where releases differ.
///
/// `hw/hyperv/vmbus.c` has not changed its protocol behaviour since it was merged (QEMU 5.1),
/// but `hw/hyperv/hyperv.c` has: what a machine reset does while the bus holds a SINT route
/// depends on the release (docs/host-model.md, "QEMU releases").
public enum QEMURelease: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible
{
  /// QEMU 5.1 to 7.0: the SynIC keeps no list of its SINT routes. A reset forgets the message
  /// in flight and its delivery callback still runs later (§9 entries 46 and 47).
  case qemu51 = "5.1"
  /// QEMU 7.1: 64ddecc88b ("hyperv: SControl is optional to enable SynIc") lists the routes
  /// and `synic_reset` asserts the list is empty, but the SynIC is reset before the devices,
  /// so any reset while the bus has a route aborts.
  case qemu71 = "7.1"
  /// QEMU 7.2 to current upstream: "hyperv: fix SynIC SINT assertion failure on guest reset"
  /// resets the SynIC after the devices (`kvm_arch_after_reset_vcpu`), so the bus has dropped
  /// its route; only a route a staged message still holds (`hyperv_post_msg` takes a
  /// reference until `sint_msg_bh`) trips the assertion.
  case current

  public var description: String {
    switch self {
    case .qemu51: "QEMU 5.1-7.0"
    case .qemu71: "QEMU 7.1"
    case .current: "QEMU 7.2 and later"
    }
  }
}
