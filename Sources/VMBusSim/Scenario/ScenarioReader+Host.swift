import VMBusHost
import VMBusWire
import Yams

/// The host: profile, vCPUs and devices (also `device_added` steps, which take a device entry).
extension ScenarioReader {
  static let hostKeys = ["profile", "qemu_release", "vcpus", "vcpus_without_synic", "devices"]
  static let deviceKeys = [
    "class", "class_id", "name", "instance", "channels", "channel_flags", "mmio_mb",
    "open_fails",
  ]

  /// The host; nil (a missing `host`, already reported) gives the default host.
  mutating func host(_ node: Node?) -> HostSpec {
    guard let node else { return HostSpec(devices: []) }
    let fields = fields(
      node, "host", at: Self.location(of: node), keys: Self.hostKeys, required: ["devices"])
    let profile =
      fields["profile"].flatMap {
        choice(
          $0, "host.profile", "profile", plural: "profiles",
          HostProfile.allCases.map { ($0.rawValue, $0) })
      } ?? .qemu
    let release =
      fields["qemu_release"].flatMap {
        choice(
          $0, "host.qemu_release", "QEMU release", plural: "QEMU releases",
          QEMURelease.allCases.map { ($0.rawValue, $0) })
      } ?? .current
    var vcpus: UInt32? = 2
    if let node = fields["vcpus"] {
      vcpus = integer(node, "host.vcpus", in: 1...UInt32.max)
    }
    var withoutSynIC: [UInt32] = []
    if let node = fields["vcpus_without_synic"] {
      let path = "host.vcpus_without_synic"
      for item in sequence(node, path) {
        guard let index = integer(item, path, in: 0...UInt32.max) else { continue }
        if let vcpus, index >= vcpus {
          error("\(path): vCPU \(index) does not exist; vcpus is \(vcpus)", at: item)
        }
        withoutSynIC.append(index)
      }
    }
    var devices: [DeviceSpec] = []
    if let node = fields["devices"] {
      for item in sequence(node, "host.devices") {
        if let device = device(item, "host.devices") { devices.append(device) }
      }
    }
    return HostSpec(
      profile: profile, qemuRelease: release, vcpus: vcpus ?? 2, vcpusWithoutSynIC: withoutSynIC,
      devices: devices)
  }

  /// A device entry, registered under its name so steps can refer to it.
  ///
  /// `at` is where an absent entry would be (a bare `device_added` step).
  mutating func device(_ node: Node?, _ path: String, at fallback: SourceLocation? = nil)
    -> DeviceSpec?
  {
    let index = deviceEntries
    deviceEntries += 1
    let location = node.map(Self.location(of:)) ?? fallback ?? SourceLocation(line: 1, column: 1)
    let fields = fields(node, path, at: location, keys: Self.deviceKeys)
    var known: KnownDeviceClass?
    var classID: GUID?
    switch (fields["class"], fields["class_id"]) {
    case (let node?, nil):
      known = choice(
        node, "\(path).class", "device class", plural: "classes",
        KnownDeviceClass.allCases.map { ($0.rawValue, $0) })
      classID = known?.classID
    case (nil, let node?):
      classID = guid(node, "\(path).class_id")
      known = KnownDeviceClass.allCases.first { $0.classID == classID }
    case (_?, _?):
      error("\(path): give class or class_id, not both", at: fields.location)
    case (nil, nil) where fields.isMapping:
      error("\(path): missing key 'class' (or 'class_id')", at: fields.location)
    case (nil, nil):
      break
    }
    var name = known?.rawValue
    if let node = fields["name"] {
      name = identifier(node, "\(path).name", what: "device name")
    } else if fields["class_id"] != nil, classID != nil, known == nil {
      error("\(path): missing key 'name' (a device given by class_id needs one)", at: location)
    }
    let instance =
      fields["instance"].flatMap { guid($0, "\(path).instance") }
      ?? GUID(high: 0x4000, low: 0x8000_0000_0000_0000 | UInt64(index + 1))
    let channels = integer(fields, "channels", default: UInt16(1), in: 1...UInt16.max)
    let channelFlags = integer(fields, "channel_flags", default: UInt16(0))
    let mmioMB = integer(fields, "mmio_mb", default: UInt16(0))
    let openFails = bool(fields, "open_fails", default: false)
    guard let name, let classID else { return nil }
    let device = DeviceSpec(
      name: name,
      config: DeviceConfig(
        name: name, classID: classID, instanceID: instance, channelCount: channels,
        channelFlags: channelFlags, mmioSizeMB: mmioMB, openHookFails: openFails))
    let written = fields["name"] ?? fields["class"] ?? fields["class_id"]
    register(device, path, at: written.map(Self.location(of:)) ?? location)
    return device
  }
}
