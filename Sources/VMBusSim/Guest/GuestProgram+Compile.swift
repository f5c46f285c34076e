import VMBusHost
import VMBusWire

/// What compiling a Linux step needs to know about the scenario: the kernel release, the
/// devices (their channels are closed, probed and reopened by name) and how drivers probe.
struct CompileContext: Hashable, Sendable {
  struct Device: Hashable, Sendable {
    var name: String
    var channels: UInt16
    /// The driver Linux binds to the device's class (the generic one when it has none).
    var driver: LinuxDriver
  }

  var kernel: LinuxKernel
  var devices: [Device]
  var autoProbe: Bool

  init(kernel: LinuxKernel = .default, devices: [DeviceSpec] = [], autoProbe: Bool = false) {
    self.kernel = kernel
    var seen: [Device] = []
    for device in devices where !seen.contains(where: { $0.name == device.name }) {
      seen.append(
        Device(
          name: device.name, channels: max(device.config.channelCount, 1),
          driver: LinuxDriver.forClass(device.config.classID) ?? .generic))
    }
    self.devices = seen
    self.autoProbe = autoProbe
  }

  init(_ scenario: Scenario) {
    self.init(
      kernel: scenario.guest.kernel, devices: scenario.host.devices,
      autoProbe: scenario.guest.autoProbe)
  }

  /// The channels of a device, primary first (1 for a device the scenario lacks).
  func channelCount(of device: String) -> UInt16 {
    devices.first { $0.name == device }?.channels ?? 1
  }

  /// The driver of a device (the generic one for a device the scenario lacks).
  func driver(of device: String) -> LinuxDriver {
    devices.first { $0.name == device }?.driver ?? .generic
  }
}

extension GuestProgram {
  /// Compiles an actor's steps, expanding Linux's composite steps into primitive ops.
  init(compiling steps: [Step], context: CompileContext = CompileContext()) {
    self.init()
    for step in steps { compile(step, context: context) }
  }

  /// Appends the ops of one step.
  mutating func compile(_ step: Step, context: CompileContext) {
    switch step.action {
    case .send(let spec):
      append(.post(spec, retry: .none, onFailure: nil), from: step)
    case .wait(let spec): append(.waitFor(spec, onTimeout: .fail), from: step)
    case .sleep(let duration): append(.sleep(duration), from: step)
    case .environment(let action): append(.environment(action), from: step)
    case .linux(let linux):
      var builder = LinuxCompiler(program: self, step: step, context: context)
      builder.compile(linux)
      self = builder.program
    }
  }

  /// The header and bodies Linux splits a `pages`-page GPADL into: how many messages.
  static func gpadlMessageCount(pages: UInt32) -> Int {
    let rest = max(Int(pages) - WireLimits.maxHeaderPFNs, 0)
    return 1 + (rest + WireLimits.maxBodyPFNs - 1) / WireLimits.maxBodyPFNs
  }
}
