import VMBusHost
import Yams

/// Steps: the single-key mapping or bare name, and the environment steps.
extension ScenarioReader {
  static let stepNames = [
    "linux.connect", "linux.request_offers", "linux.open", "linux.close", "linux.unload",
    "linux.probe", "linux.remove", "linux.kexec", "linux.kdump", "linux.hibernate", "linux.reboot",
    "linux.emergency_restart", "linux.suspend", "linux.hvsock_connect",
    "send", "wait", "sleep", "slot_busy", "teardown_message_page", "restore_message_page",
    "machine_reset", "device_reset", "device_added", "corrupt_ring", "migrate", "signal_event",
  ]

  /// One step: `name: argument` or a bare `name`.
  mutating func step(_ node: Node) -> Step? {
    let location = Self.location(of: node)
    let path = "actors.steps"
    var name: String
    var nameNode = node
    var argument: Node?
    switch node {
    case .scalar(let scalar) where !Self.isNull(node):
      name = scalar.string
    case .mapping(let mapping) where mapping.count == 1:
      guard let (key, value) = mapping.first, case .scalar(let scalar) = key else {
        error("\(path): expected a step, found \(Self.describe(node))", at: node)
        return nil
      }
      name = scalar.string
      nameNode = key
      argument = value
    case .mapping(let mapping) where mapping.count > 1:
      let keys = mapping.keys.map(Self.describe).joined(separator: ", ")
      error("\(path): a step has one key, found \(keys); start each step with '- '", at: node)
      return nil
    default:
      error(
        "\(path): expected a step such as machine_reset or sleep: 5ms, "
          + "found \(Self.describe(node))", at: node)
      return nil
    }
    guard let action = action(name, argument, at: location) else {
      if !Self.stepNames.contains(name) {
        let names = Self.stepNames.joined(separator: ", ")
        error("\(path): unknown step \(Self.quote(name)); steps are \(names)", at: nameNode)
      }
      return nil
    }
    return Step(action, at: location)
  }

  /// What a step does; nil for an unknown name, or a step too broken to build.
  private mutating func action(_ name: String, _ argument: Node?, at location: SourceLocation)
    -> StepAction?
  {
    switch name {
    case "linux.connect": return .linux(connect(argument, at: location))
    case "linux.request_offers": return .linux(requestOffers(argument, at: location))
    case "linux.open": return .linux(open(argument, at: location))
    case "linux.close": return .linux(close(argument, at: location))
    case "linux.unload": return .linux(unload(argument, at: location))
    case "linux.probe": return .linux(.probe(device: driverDevice(argument, name, at: location)))
    case "linux.remove": return .linux(.remove(device: driverDevice(argument, name, at: location)))
    case "linux.kexec":
      noArguments(argument, name)
      return .linux(.kexec)
    case "linux.kdump":
      noArguments(argument, name)
      return .linux(.kdump)
    case "linux.hibernate": return .linux(hibernate(argument, at: location))
    case "linux.reboot":
      noArguments(argument, name)
      return .linux(.reboot)
    case "linux.emergency_restart":
      noArguments(argument, name)
      return .linux(.emergencyRestart)
    case "linux.suspend":
      noArguments(argument, name)
      return .linux(.suspend)
    case "linux.hvsock_connect": return .linux(hvsockConnect(argument, at: location))
    case "send": return .send(send(argument, at: location))
    case "wait": return .wait(wait(argument, at: location))
    case "sleep":
      let node = present(argument, name, expected: "a duration such as 10ms", at: location)
      return .sleep(node.flatMap { duration($0, name) } ?? VirtualDuration(nanoseconds: 0))
    case "slot_busy":
      let node = present(argument, name, expected: "a number of deliveries", at: location)
      let deliveries = node.flatMap { integer($0, name, in: 1...Int.max) } ?? 1
      return .environment(.slotBusy(deliveries: deliveries))
    case "teardown_message_page":
      noArguments(argument, name)
      return .environment(.teardownMessagePage)
    case "restore_message_page":
      noArguments(argument, name)
      return .environment(.restoreMessagePage)
    case "machine_reset":
      noArguments(argument, name)
      return .environment(.machineReset)
    case "migrate":
      noArguments(argument, name)
      return .environment(.migrate)
    case "device_reset", "corrupt_ring":
      let fields = fields(argument, name, at: location, keys: ["device"], required: ["device"])
      let device = deviceReference(fields).name
      return .environment(
        name == "corrupt_ring" ? .corruptRing(device: device) : .deviceReset(device: device))
    case "signal_event":
      let node = present(argument, name, expected: "a connection id such as 2", at: location)
      let id = node.flatMap { integer($0, name, in: 0...Int(UInt32.max)) } ?? 0
      return .environment(.signalEvent(connectionID: UInt32(id)))
    case "device_added":
      return device(argument, name, at: location).map { .environment(.deviceAdded($0)) }
    default:
      return nil
    }
  }

  /// The argument of a step that needs one, else an error.
  private mutating func present(
    _ argument: Node?, _ path: String, expected: String, at location: SourceLocation
  ) -> Node? {
    if argument == nil { error("\(path): expected \(expected), found nothing", at: location) }
    return argument
  }

  /// The `device` a step names (and its `subchannel`, when `subchannel` is set), checked once
  /// every device is known.
  mutating func deviceReference(_ fields: Fields, subchannel: Bool = false)
    -> (name: String, subchannel: UInt16)
  {
    var index: UInt16 = 0
    var indexLocation: SourceLocation?
    if subchannel, let node = fields["subchannel"],
      let value = integer(node, fields.path("subchannel"), in: 0...UInt16.max)
    {
      index = value
      indexLocation = Self.location(of: node)
    }
    guard let node = fields["device"],
      let name = identifier(node, fields.path("device"), what: "device name")
    else { return ("", index) }
    references.append(
      DeviceReference(
        name: name, location: Self.location(of: node), context: fields.path,
        subchannel: indexLocation.map { (index, $0) }))
    return (name, index)
  }
}
