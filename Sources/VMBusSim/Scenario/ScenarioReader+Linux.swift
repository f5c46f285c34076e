import VMBusWire
import Yams

/// The `linux.*` composite steps (linux-guest.md B.1-B.3, B.5).
extension ScenarioReader {
  /// `linux.connect: {versions: ["4.0"], vcpu: 0}`.
  mutating func connect(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(node, "linux.connect", at: location, keys: ["versions", "vcpu"])
    var versions: [ProtocolVersion]?
    if let node = fields["versions"] {
      let path = "linux.connect.versions"
      let items = sequence(node, path)
      versions = items.compactMap { item in
        guard let text = text(item, path, expected: "a version such as \"4.0\"") else {
          return nil
        }
        guard let version = ProtocolVersion(text) else {
          error("\(path): expected a version such as \"4.0\", found \(Self.quote(text))", at: item)
          return nil
        }
        return version
      }
      if items.isEmpty, Self.isNull(node) || node.sequence != nil {
        error("\(path): expected at least one version", at: node)
      }
    }
    let vcpu = integer(fields, "vcpu", default: UInt32(0))
    return .connect(versions: versions, vcpu: vcpu)
  }

  /// `linux.request_offers: {wait: true}`.
  mutating func requestOffers(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(node, "linux.request_offers", at: location, keys: ["wait"])
    guard fields["wait"] != nil else { return .requestOffers(waitForAll: nil) }
    return .requestOffers(waitForAll: bool(fields, "wait", default: true))
  }

  /// `linux.open: {device: netvsc, subchannel: 0, ring_pages: 64, target_vp: 0,
  /// expect_status: 0}`.
  mutating func open(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(
      node, "linux.open", at: location,
      keys: ["device", "subchannel", "ring_pages", "target_vp", "expect_status"],
      required: ["device"])
    let (device, subchannel) = deviceReference(fields, subchannel: true)
    var ringPages: UInt32?
    if let node = fields["ring_pages"],
      let pages = integer(node, "linux.open.ring_pages", in: 0...UInt32.max)
    {
      if pages >= 4, pages.isMultiple(of: 2) {
        ringPages = pages
      } else {
        error(
          "linux.open.ring_pages: expected an even number of at least 4 (two rings with their "
            + "header pages), found \(pages)", at: node)
      }
    }
    return .open(
      device: device, subchannel: subchannel, ringPages: ringPages,
      targetVP: fields["target_vp"] == nil ? nil : integer(fields, "target_vp", default: UInt32(0)),
      expectStatus: integer(fields, "expect_status", default: UInt32(0)))
  }

  /// `linux.close: {device: netvsc, subchannel: 0}`.
  mutating func close(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(
      node, "linux.close", at: location, keys: ["device", "subchannel"], required: ["device"])
    let (device, subchannel) = deviceReference(fields, subchannel: true)
    return .close(device: device, subchannel: subchannel)
  }

  /// `linux.unload: {mode: kexec}` or `{mode: crash}`.
  mutating func unload(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(node, "linux.unload", at: location, keys: ["mode"])
    let crash =
      fields["mode"].flatMap {
        choice(
          $0, "linux.unload.mode", "mode", plural: "modes", [("kexec", false), ("crash", true)])
      } ?? false
    return .unload(crash: crash)
  }

  /// `linux.hibernate`, or `linux.hibernate: {mode: reboot}`.
  mutating func hibernate(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    guard let node, !Self.isNull(node) else { return .hibernate(.thaw) }
    let fields = fields(node, "linux.hibernate", at: location, keys: ["mode"])
    let mode =
      fields["mode"].flatMap {
        choice(
          $0, "linux.hibernate.mode", "mode", plural: "modes",
          HibernationMode.allCases.map { ($0.rawValue, $0) })
      } ?? .thaw
    return .hibernate(mode)
  }

  /// `linux.hvsock_connect: {port: 22}`: the host's vsock port a guest socket connects to.
  mutating func hvsockConnect(_ node: Node?, at location: SourceLocation) -> LinuxStep {
    let fields = fields(
      node, "linux.hvsock_connect", at: location, keys: ["port"], required: ["port"])
    return .hvsockConnect(port: integer(fields, "port", default: UInt32(0)))
  }

  /// `linux.probe: {device: netvsc}` and `linux.remove: {device: netvsc}`.
  mutating func driverDevice(_ node: Node?, _ name: String, at location: SourceLocation) -> String {
    let fields = fields(node, name, at: location, keys: ["device"], required: ["device"])
    return deviceReference(fields).name
  }

  /// `guest: {kernel: "6.12", probe: auto}`.
  mutating func guest(_ node: Node?, at location: SourceLocation) -> GuestSpec {
    guard let node else { return GuestSpec() }
    let fields = fields(node, "guest", at: location, keys: ["kernel", "probe"])
    var spec = GuestSpec()
    if let kernel = fields["kernel"],
      let text = text(kernel, "guest.kernel", expected: "a Linux release such as \"6.12\"")
    {
      if let release = LinuxKernel(text) {
        spec.kernel = release
      } else {
        error(
          "guest.kernel: expected a Linux release such as \"6.12\", found \(Self.quote(text))",
          at: kernel)
      }
    }
    if let probe = fields["probe"] {
      spec.autoProbe =
        choice(
          probe, "guest.probe", "probe mode", plural: "probe modes",
          [("auto", true), ("steps", false)]) ?? false
    }
    return spec
  }
}
