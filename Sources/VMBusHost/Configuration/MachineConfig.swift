/// The machine around the bus: the vCPUs the host checks indexes against.
///
/// An imported QEMU trace carries no configuration; its state has none and the reducer then
/// assumes every vCPU index exists, as the trace itself shows no crash.
public struct MachineConfig: Hashable, Sendable, Codable {
  /// Number of vCPUs; VP indexes are `0..<vcpuCount`.
  public var vcpuCount: UInt32
  /// VP indexes whose SynIC is off: a SINT route to them fails cleanly (no crash).
  public var vcpusWithoutSynIC: [UInt32]
  /// The QEMU release whose SynIC reset the `qemu` profile follows.
  public var qemuRelease: QEMURelease

  public init(
    vcpuCount: UInt32, vcpusWithoutSynIC: [UInt32] = [], qemuRelease: QEMURelease = .current
  ) {
    self.vcpuCount = vcpuCount
    self.vcpusWithoutSynIC = vcpusWithoutSynIC
    self.qemuRelease = qemuRelease
  }

  private enum CodingKeys: String, CodingKey {
    case vcpuCount, vcpusWithoutSynIC, qemuRelease
  }

  // Sessions stored before releases were modelled have no release: they ran against current
  // QEMU, and current QEMU's sessions are stored as they were.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    vcpuCount = try container.decode(UInt32.self, forKey: .vcpuCount)
    vcpusWithoutSynIC = try container.decode([UInt32].self, forKey: .vcpusWithoutSynIC)
    qemuRelease =
      try container.decodeIfPresent(QEMURelease.self, forKey: .qemuRelease) ?? .current
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(vcpuCount, forKey: .vcpuCount)
    try container.encode(vcpusWithoutSynIC, forKey: .vcpusWithoutSynIC)
    if qemuRelease != .current { try container.encode(qemuRelease, forKey: .qemuRelease) }
  }

  /// What creating a SINT route to this VP index does.
  func route(to vp: UInt32) -> RouteOutcome {
    if vp >= vcpuCount { return .crash }
    return vcpusWithoutSynIC.contains(vp) ? .fails : .created
  }

  /// The lowest VP index whose SynIC can take a message, or nil if none can: where the
  /// hardened host answers when the guest named no VP it can reach.
  var firstVPWithSynIC: UInt32? {
    var vp: UInt32 = 0
    // Each VP skipped is in `vcpusWithoutSynIC`, so this loop ends within its length + 1.
    while vp < vcpuCount {
      if !vcpusWithoutSynIC.contains(vp) { return vp }
      vp += 1
    }
    return nil
  }
}

/// What QEMU's `hyperv_sint_route_new` does for a VP index.
enum RouteOutcome: Hashable, Sendable {
  /// The route exists.
  case created
  /// The vCPU exists without a SynIC: NULL is returned and logged.
  case fails
  /// No such vCPU: `hyperv_find_vcpu` dereferences NULL.
  case crash
}

/// Which host behaviour the reducer models.
public enum HostProfile: String, CaseIterable, Hashable, Sendable, Codable {
  /// QEMU's `hw/hyperv/vmbus.c`, failures included.
  case qemu
  /// The same protocol and trace points, with every QEMU crash turned into a rejection and
  /// every unanswered request into a failure reply (docs/hardened.md).
  case hardened
}
