import VMBusWire

/// The Linux release a scenario's guest runs (`guest.kernel`): the behaviours of
/// `drivers/hv` that changed between releases, each with the change that made it
/// (docs/linux-guest-model.md, "Kernel versions").
package struct LinuxKernel: Hashable, Sendable, Comparable, CustomStringConvertible {
  package var major: Int
  package var minor: Int

  package init(major: Int, minor: Int) {
    self.major = major
    self.minor = minor
  }

  /// "6.12", "7.2"; a stable suffix ("6.1.192") is accepted and ignored.
  package init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]),
      (2...99).contains(major), (0...99).contains(minor),
      parts.count == 2 || Int(parts[2]) != nil
    else { return nil }
    self.init(major: major, minor: minor)
  }

  /// The LTS release Debian 13 ships: what the model runs unless a scenario says otherwise.
  package static let `default` = LinuxKernel(major: 6, minor: 12)

  /// The releases the bundled scenarios and `fuzz --guest linux`'s kernel choices name: one
  /// per behaviour change below.
  package static let modelled: [LinuxKernel] = [
    LinuxKernel(major: 6, minor: 1), .default, LinuxKernel(major: 6, minor: 14),
    LinuxKernel(major: 7, minor: 2), LinuxKernel(major: 7, minor: 3),
  ]

  package static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
  }

  package var description: String { "\(major).\(minor)" }

  /// 113386ca981c ("Drivers: hv: vmbus: Wait for boot-time offers during boot and resume",
  /// 6.14, backported to 6.13.y): `vmbus_request_offers` waits up to 60 s for
  /// ALLOFFERS_DELIVERED, on boot and on resume.
  package var waitsForAllOffers: Bool { self >= LinuxKernel(major: 6, minor: 14) }

  /// The Confidential VMBus series (6802d8af47d1, "Drivers: hv: VMBus protocol version 6.0",
  /// and "Drivers: hv: Set the default VMBus version to 6.0") put VERSION_WIN10_V6_0 at the
  /// head of `vmbus_versions`: applied for 6.19, present in 7.2, absent from 6.12.
  package var offersVersion6: Bool { self >= LinuxKernel(major: 6, minor: 19) }

  /// 7.3 dropped WIN8_1 and WIN8 from `vmbus_versions`: the table ends at 4.0.
  package var dropsWin8: Bool { self >= LinuxKernel(major: 7, minor: 3) }

  /// `vmbus_versions`, newest first, as `vmbus_connect` walks it.
  package var versionTable: [ProtocolVersion] {
    var table: [ProtocolVersion] = [
      .win10v5_3, .win10v5_2, .win10v5_1, .win10v5, .win10v4_1, .win10, .win8_1, .win8,
    ]
    if offersVersion6 { table.insert(.win10v6, at: 0) }
    if dropsWin8 { table.removeAll { $0 < .win10 } }
    return table
  }

  /// `vmbus_initiate_unload` sends nothing to a host that negotiated below WIN8_1 (up to
  /// 7.2); 7.3 instead returns when the connection never got past CONNECTING, and its table
  /// cannot negotiate below 4.0.
  package func sendsUnload(connectedAt version: ProtocolVersion?) -> Bool {
    guard let version else { return false }
    return dropsWin8 || version >= .win8_1
  }

  /// Kernels before 113386ca981c resume from hibernation by waiting once, up to 10 s, on
  /// `ready_for_resume_event` for the primaries they had before.
  package var waitsForResumeOffers: Bool { !waitsForAllOffers }
}

/// What the scenario's guest is: the Linux release it runs and how its drivers probe.
package struct GuestSpec: Hashable, Sendable {
  package var kernel: LinuxKernel
  /// Every offered device with a Linux driver is probed by its own actor, concurrently with
  /// the others, as the driver core probes asynchronously (`probe: auto`).
  package var autoProbe: Bool

  package init(kernel: LinuxKernel = .default, autoProbe: Bool = false) {
    self.kernel = kernel
    self.autoProbe = autoProbe
  }
}
