import VMBusHost
import VMBusWire

/// Writes a scenario as YAML that `ScenarioParser` reads back to an equal scenario: how the
/// fuzzer's minimal cases become regression files.
package enum ScenarioWriter {
  package static func yaml(_ scenario: Scenario) -> String {
    var out: [String] = []
    out.append("name: \(scenario.name)")
    out.append("description: \(quoted(scenario.description))")
    out.append("expect: \(expectation(scenario.expected))")
    out.append("host:")
    out.append("  profile: \(scenario.host.profile.rawValue)")
    if scenario.host.qemuRelease != .current {
      out.append("  qemu_release: \(quoted(scenario.host.qemuRelease.rawValue))")
    }
    out.append("  vcpus: \(scenario.host.vcpus)")
    if !scenario.host.vcpusWithoutSynIC.isEmpty {
      out.append(
        "  vcpus_without_synic: [\(scenario.host.vcpusWithoutSynIC.map(String.init).joined(separator: ", "))]"
      )
    }
    out.append("  devices:\(scenario.host.devices.isEmpty ? " []" : "")")
    for device in scenario.host.devices { out.append("    - " + deviceFields(device)) }
    if scenario.guest != GuestSpec() {
      var fields = ["kernel: \(quoted(scenario.guest.kernel.description))"]
      if scenario.guest.autoProbe { fields.append("probe: auto") }
      out.append("guest: {\(fields.joined(separator: ", "))}")
    }
    if scenario.faults != FaultSettings() {
      out.append(
        "faults: {slot_busy: \(scenario.faults.slotBusy), message_page_missing: \(scenario.faults.messagePageMissing)}"
      )
    }
    if scenario.limits != RunLimits() {
      out.append(
        "limits: {max_steps: \(scenario.limits.maxSteps), max_time: \(scenario.limits.maxTime)}")
    }
    out.append("actors:")
    for actor in scenario.actors {
      out.append("  - name: \(actor.name)")
      out.append("    steps:")
      for step in actor.steps { out.append("      - " + self.step(step.action)) }
    }
    if let record = scenario.regression {
      out.append("regression:")
      out.append("  seed: \(record.seed)")
      out.append("  choices: \"\(record.choices.map(String.init).joined(separator: ","))\"")
      out.append("  property: \(record.property)")
      out.append("  signature: \(quoted(record.signature.description))")
      out.append("  events:")
      for line in record.events { out.append("    - \(quoted(line))") }
    }
    return out.joined(separator: "\n") + "\n"
  }

  package static func expectation(_ expected: ExpectedOutcome) -> String {
    guard let message = expected.messageContains else { return expected.kind.rawValue }
    return "{outcome: \(expected.kind.rawValue), message: \(quoted(message))}"
  }

  static func deviceFields(_ device: DeviceSpec) -> String {
    let config = device.config
    var fields: [String] = []
    if let known = KnownDeviceClass.allCases.first(where: { $0.classID == config.classID }) {
      fields.append("class: \(known.rawValue)")
    } else {
      fields.append("class_id: \(config.classID)")
    }
    fields.append("name: \(device.name)")
    fields.append("instance: \(config.instanceID)")
    fields.append("channels: \(config.channelCount)")
    if config.channelFlags != 0 { fields.append("channel_flags: \(config.channelFlags)") }
    if config.mmioSizeMB != 0 { fields.append("mmio_mb: \(config.mmioSizeMB)") }
    if config.openHookFails { fields.append("open_fails: true") }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  static func step(_ action: StepAction) -> String {
    switch action {
    case .send(let spec): return "send: " + send(spec)
    case .wait(let spec): return "wait: " + wait(spec)
    case .sleep(let duration): return "sleep: \(duration)"
    case .environment(let action): return environment(action)
    case .linux(let linux): return self.linux(linux)
    }
  }

  static func send(_ spec: MessageSpec) -> String {
    var fields = ["type: \(spec.type.rawValue)"]
    for override in spec.fields {
      let value: String
      if override.field == .versionRequested, case .number(let raw) = override.value,
        let narrow = UInt32(exactly: raw)
      {
        value = quoted(ProtocolVersion(rawValue: narrow).description)
      } else {
        value = operand(override.value)
      }
      fields.append("\(override.field.rawValue): \(value)")
    }
    if let raw = spec.rawPayload { fields.append("payload: \"\(hex(raw))\"") }
    if let cut = spec.truncateTo { fields.append("truncate: \(cut)") }
    if spec.connectionID != 1 { fields.append("connection_id: \(spec.connectionID)") }
    if spec.synicMessageType != 1 { fields.append("synic_type: \(spec.synicMessageType)") }
    if let size = spec.payloadSize { fields.append("payload_size: \(size)") }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  static func wait(_ spec: WaitSpec) -> String {
    var fields = ["for: \(spec.type.rawValue)"]
    if !spec.match.isEmpty { fields.append("match: " + replies(spec.match)) }
    if !spec.expect.isEmpty { fields.append("expect: " + replies(spec.expect)) }
    if let timeout = spec.timeout { fields.append("timeout: \(timeout)") }
    if spec.expectTimeout { fields.append("expect_timeout: true") }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  static func replies(_ values: [ReplyValue]) -> String {
    "{" + values.map { "\($0.field.rawValue): \(operand($0.value))" }.joined(separator: ", ") + "}"
  }

  static func operand(_ operand: Operand) -> String {
    switch operand {
    case .number(let value): value > 0xFFFF ? "0x" + String(value, radix: 16) : "\(value)"
    case .relid(let device, 0): "\"relid(\(device))\""
    case .relid(let device, let sub): "\"relid(\(device), \(sub))\""
    case .ringGpadl(let device, 0): "\"ring_gpadl(\(device))\""
    case .ringGpadl(let device, let sub): "\"ring_gpadl(\(device), \(sub))\""
    }
  }

  static func environment(_ action: EnvironmentAction) -> String {
    switch action {
    case .slotBusy(let deliveries): "slot_busy: \(deliveries)"
    case .teardownMessagePage: "teardown_message_page"
    case .restoreMessagePage: "restore_message_page"
    case .machineReset: "machine_reset"
    case .deviceReset(let device): "device_reset: {device: \(device)}"
    case .deviceAdded(let device): "device_added: " + deviceFields(device)
    case .corruptRing(let device): "corrupt_ring: {device: \(device)}"
    case .migrate: "migrate"
    case .signalEvent(let id): "signal_event: \(id)"
    }
  }

  static func linux(_ step: LinuxStep) -> String {
    switch step {
    case .connect(let versions, let vcpu):
      guard let versions else { return "linux.connect: {vcpu: \(vcpu)}" }
      let list = versions.map { quoted($0.description) }.joined(separator: ", ")
      return "linux.connect: {versions: [\(list)], vcpu: \(vcpu)}"
    case .requestOffers(let wait):
      return wait.map { "linux.request_offers: {wait: \($0)}" } ?? "linux.request_offers"
    case .open(let device, let sub, let pages, let vp, let status):
      var fields = ["device: \(device)", "subchannel: \(sub)"]
      if let pages { fields.append("ring_pages: \(pages)") }
      if let vp { fields.append("target_vp: \(vp)") }
      fields.append("expect_status: \(status)")
      return "linux.open: {\(fields.joined(separator: ", "))}"
    case .close(let device, let sub): return "linux.close: {device: \(device), subchannel: \(sub)}"
    case .unload(let crash): return "linux.unload: {mode: \(crash ? "crash" : "kexec")}"
    case .probe(let device): return "linux.probe: {device: \(device)}"
    case .remove(let device): return "linux.remove: {device: \(device)}"
    case .kexec: return "linux.kexec"
    case .kdump: return "linux.kdump"
    case .hibernate(.thaw): return "linux.hibernate"
    case .hibernate(let mode): return "linux.hibernate: {mode: \(mode.rawValue)}"
    case .reboot: return "linux.reboot"
    case .emergencyRestart: return "linux.emergency_restart"
    case .suspend: return "linux.suspend"
    case .hvsockConnect(let port): return "linux.hvsock_connect: {port: \(port)}"
    }
  }

  static func quoted(_ text: String) -> String {
    var escaped = ""
    for character in text {
      switch character {
      case "\\": escaped += "\\\\"
      case "\"": escaped += "\\\""
      case "\n": escaped += "\\n"
      default: escaped.append(character)
      }
    }
    return "\"" + escaped + "\""
  }

  static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
  }
}

extension Scenario {
  /// The scenario with its steps' file locations dropped: what stays equal through a write
  /// and re-read.
  package var withoutSourceLocations: Scenario {
    var copy = self
    for actor in copy.actors.indices {
      for step in copy.actors[actor].steps.indices { copy.actors[actor].steps[step].location = nil }
    }
    return copy
  }
}
