import VMBusHost
import VMBusWire

/// What a fuzz campaign's guest may send.
package enum GuestInputs: String, Sendable, CaseIterable {
  /// Anything a guest can post, malformed messages included.
  case any
  /// Only what an unmodified Linux guest does (its `linux.*` steps), in any schedule, with
  /// busy slots, reboots and kernel restarts: the headline question "what can Linux make
  /// QEMU do?".
  case linux
}

/// Derives a variant of a scenario from a seed: what one fuzz run executes.
///
/// Mutations stay within what a guest can do: change message fields (ids, lengths,
/// versions, vCPUs, page counts), drop, repeat or reorder steps, insert extra messages of any
/// type (well-formed with odd values, truncated, or with corrupted bytes), keep its message
/// slot busy or tear its message page down, reset or migrate the machine, signal an event
/// connection (HvSignalEvent), and raise the probabilities of busy and failed deliveries.
/// The scheduler's own choices come from the run's seed separately.
///
/// It never generates an input QEMU cannot receive (``BeyondQEMUInput``: `device_reset`,
/// `device_added`), whatever the profile: `hardened` stays a drop-in for QEMU's inputs. A
/// scenario that already holds one keeps it (and its runs are never QEMU failures).
package struct ScenarioMutator {
  private var choices: ChoiceSource
  private let devices: [String]
  private let inputs: GuestInputs

  package init(seed: UInt64, scenario: Scenario, inputs: GuestInputs = .any) {
    // A stream of its own, so mutations and scheduling vary independently with the seed.
    choices = ChoiceSource(seed: seed ^ 0x6D75_7461_7465_2121)
    devices = scenario.host.devices.map(\.name)
    self.inputs = inputs
  }

  /// The scenario with between 1 and `maximum` mutations applied.
  package mutating func mutate(_ scenario: Scenario, maximum: Int = 4) -> Scenario {
    var result = scenario
    let count = 1 + choices.pick(below: maximum)
    for _ in 0..<count {
      switch inputs {
      case .any: apply(to: &result)
      case .linux: applyLinux(to: &result)
      }
    }
    result.limits.maxSteps = min(result.limits.maxSteps, inputs == .linux ? 200_000 : 20_000)
    return result
  }

  // MARK: what an unmodified Linux guest does

  /// A change an unmodified Linux guest, its user or its machine can make: a kernel
  /// restart (kexec, a crash and kdump, hibernation, a reboot, an emergency restart) or a
  /// suspend-to-RAM at any point, a driver unbound or rebound, an hv_sock connect, a slow
  /// message handler keeping the slot busy, a migration, another kernel release. Never a
  /// message Linux would not send.
  ///
  /// A restart or a suspend goes to the actor that boots the kernel, after the steps already
  /// there: they are the system's transitions, which Linux serializes (`system_transition_mutex`,
  /// the kexec lock) and which begin only when the one before has ended. Two of them in two
  /// actors would overlap, as no Linux kernel lets them (a crash during a kexec does not
  /// start the crash kernel).
  private mutating func applyLinux(to scenario: inout Scenario) {
    guard !scenario.actors.isEmpty else { return }
    let mutation = pick(LinuxMutation.allCases)
    let actor =
      mutation.isSystemTransition
      ? (scenario.actors.firstIndex { $0.steps.contains(where: Self.bootsKernel) } ?? 0)
      : choices.pick(below: scenario.actors.count)
    var steps = scenario.actors[actor].steps
    // Only where the kernel runs: after its boot (connect, then the offer request) and
    // before it unloads for good (nothing follows `vmbus_initiate_unload` in a kernel).
    let booted = (steps.lastIndex { Self.bootsKernel($0) } ?? -1) + 1
    let unloads = steps.firstIndex { if case .linux(.unload) = $0.action { true } else { false } }
    let last = max(unloads ?? steps.count, booted)
    let position = booted + choices.pick(below: last - booted + 1)
    switch mutation {
    case .kexec: steps.insert(Step(.linux(.kexec)), at: position)
    case .kdump: steps.insert(Step(.linux(.kdump)), at: position)
    case .hibernate:
      // Hibernation: the thaw alone, then a power-off (platform's S4 or shutdown's S5), or
      // the whole cycle through a reboot and a boot kernel.
      let mode = pick(HibernationMode.allCases)
      steps.insert(Step(.linux(.hibernate(mode))), at: position)
    case .reboot: steps.insert(Step(.linux(.reboot)), at: position)
    case .emergencyRestart:
      // SysRq b: the machine resets at once, under whatever the kernel was doing.
      steps.insert(Step(.linux(.emergencyRestart)), at: position)
    case .unbind where !devices.isEmpty:
      // `echo … > unbind`, and as often `bind` again.
      let device = pick(devices)
      var rebind = [Step(.linux(.remove(device: device)))]
      if choices.pick(below: 2) == 0 { rebind.append(Step(.linux(.probe(device: device)))) }
      steps.insert(contentsOf: rebind, at: position)
    case .slowHandler:
      // The guest's message handler is slow: the slot stays busy for a few deliveries.
      steps.insert(
        Step(.environment(.slotBusy(deliveries: 1 + choices.pick(below: 3)))), at: position)
    case .busySlots:
      scenario.faults.slotBusy = [0, 0.1, 0.5, 0.9][choices.pick(below: 4)]
    case .migrate:
      // The machine migrates under the running kernel, which does not notice.
      steps.insert(Step(.environment(.migrate)), at: position)
    case .suspend:
      // `systemctl suspend`: S3, and QEMU's wake, under the running kernel.
      steps.insert(Step(.linux(.suspend)), at: position)
    case .hvsockConnect:
      // Any process, unprivileged too, connects an AF_VSOCK socket to the host: port 22 is
      // ssh over vsock (systemd's convention).
      steps.insert(Step(.linux(.hvsockConnect(port: 22))), at: position)
    case .unbind, .kernelRelease:
      // An unbind with no device to unbind switches the kernel release instead.
      scenario.guest.kernel = pick(LinuxKernel.modelled)
    }
    scenario.actors[actor].steps = steps
  }

  /// The Linux-mode mutations, in the order a seed picks them.
  private enum LinuxMutation: CaseIterable {
    case kexec, kdump, hibernate, reboot, emergencyRestart, unbind, slowHandler, busySlots
    case migrate, suspend, hvsockConnect, kernelRelease

    /// A restart or a suspend: one of the system's transitions, which follow each other.
    var isSystemTransition: Bool {
      switch self {
      case .kexec, .kdump, .hibernate, .reboot, .emergencyRestart, .suspend: true
      case .unbind, .slowHandler, .busySlots, .migrate, .hvsockConnect, .kernelRelease: false
      }
    }
  }

  /// A kernel's own boot steps: `vmbus_connect` and `vmbus_request_offers` run once each.
  static func bootsKernel(_ step: Step) -> Bool {
    switch step.action {
    case .linux(.connect), .linux(.requestOffers): true
    default: false
    }
  }

  private mutating func apply(to scenario: inout Scenario) {
    guard !scenario.actors.isEmpty else { return }
    let actor = choices.pick(below: scenario.actors.count)
    var steps = scenario.actors[actor].steps
    let position = choices.pick(below: steps.count + 1)
    switch choices.pick(below: 10) {
    case 0 where !steps.isEmpty:
      steps.remove(at: min(position, steps.count - 1))
    case 1 where !steps.isEmpty:
      let index = min(position, steps.count - 1)
      steps.insert(steps[index], at: index)
    case 2 where steps.count >= 2:
      let index = min(position, steps.count - 2)
      steps.swapAt(index, index + 1)
    case 3, 4:
      steps.insert(Step(.send(extraMessage())), at: position)
    case 5 where !steps.isEmpty:
      let index = min(position, steps.count - 1)
      steps[index] = mutateStep(steps[index])
    case 6:
      steps.insert(Step(.environment(environmentAction())), at: position)
    case 7:
      scenario.faults.slotBusy = [0, 0.1, 0.5, 0.9][choices.pick(below: 4)]
    case 8:
      scenario.faults.messagePageMissing = [0, 0.01, 0.1][choices.pick(below: 3)]
    default:
      steps.insert(Step(.send(extraMessage())), at: position)
    }
    scenario.actors[actor].steps = steps
  }

  // MARK: values a guest might send

  private mutating func pick<T>(_ values: [T]) -> T { values[choices.pick(below: values.count)] }

  private mutating func relid() -> Operand {
    if !devices.isEmpty && choices.pick(below: 3) > 0 {
      return .relid(device: pick(devices), subchannel: 0)
    }
    return .number(pick([0, 1, 2, 7, 2047, 2048, 0xFFFF_FFFF]))
  }

  private mutating func gpadlID() -> Operand {
    .number(pick([0xE1E10, 0xE1E11, 0xE1E12, 0, 0xFFFF_FFFF]))
  }

  private mutating func number(for field: MessageField) -> Operand {
    switch field {
    case .versionRequested:
      .number(
        UInt64(
          pick(
            LinuxStep.defaultVersions + [
              .ws2008, .win7, ProtocolVersion(rawValue: 0), ProtocolVersion(major: 2, minor: 7),
            ]
          ).rawValue))
    case .targetVCPU, .targetVP: .number(pick([0, 1, 3, 64, 0xFFFF_FFFF]))
    case .childRelid, .openID: relid()
    case .gpadlID, .ringBufferGpadlID: gpadlID()
    case .ringBufferOffset: .number(pick([0, 1, 2, 16, 63, 0xFFFF_FFFF]))
    case .pages, .pfnCount: .number(pick([0, 1, 2, 4, 26, 27, 64, 300]))
    case .rangeBufferLength: .number(pick([0, 7, 8, 16, 520, 0xFFFF]))
    case .rangeCount: .number(pick([0, 1, 2]))
    case .byteCount: .number(pick([0, 4096, 0xFFFF_F000]))
    case .byteOffset: .number(pick([0, 1, 4096]))
    case .interruptPage, .monitorPage1, .monitorPage2: .number(pick([0, 0x7D000, 2]))
    case .messageNumber: .number(pick([0, 1, 0xFFFF_FFFF]))
    }
  }

  /// A guest message of any type: well-formed with odd field values, cut short, or with a
  /// corrupted byte.
  private mutating func extraMessage() -> MessageSpec {
    let types: [MessageType] = [
      .initiateContact, .requestOffers, .gpadlHeader, .gpadlBody, .gpadlTeardown, .openChannel,
      .closeChannel, .unload, .relidReleased, .versionResponse, .offerChannel,
      .modifyChannel, .invalid, MessageType(30),
    ]
    let type = pick(types)
    var spec = MessageSpec(type: type)
    for field in MessageField.allCases
    where field.types.contains(type) && choices.pick(below: 2) == 0 {
      spec.fields.append(FieldOverride(field, number(for: field)))
    }
    switch choices.pick(below: 6) {
    case 0: spec.truncateTo = choices.pick(below: 48)
    case 1: spec = corrupted(spec)
    case 2: spec.payloadSize = pick([0, 7, 241, 300])
    case 3: spec.connectionID = pick([2, 4, 0x0100_0001])
    default: break
    }
    return spec
  }

  /// The message's bytes (its operands made literal) with one byte changed.
  private mutating func corrupted(_ spec: MessageSpec) -> MessageSpec {
    var literal = spec
    literal.fields = spec.fields.map {
      if case .number = $0.value { return $0 }
      return FieldOverride($0.field, .number(1))
    }
    let kernel = GuestKernel(devices: [])
    guard case .success(let call) = MessageBuilder.hypercall(literal, kernel: kernel),
      call.payload.count > 8
    else { return spec }
    var body = Array(call.payload.dropFirst(8))
    body[choices.pick(below: body.count)] = UInt8(truncatingIfNeeded: choices.pick(below: 256))
    return MessageSpec(type: spec.type, rawPayload: body)
  }

  private mutating func mutateStep(_ step: Step) -> Step {
    var step = step
    switch step.action {
    case .send(let raw) where raw.rawPayload != nil:
      // Raw bytes have no fields to change: corrupt another byte.
      step.action = .send(corrupted(MessageSpec(type: raw.type)))
    case .send(var spec):
      let fields = MessageField.allCases.filter { $0.types.contains(spec.type) }
      if !fields.isEmpty {
        let field = pick(fields)
        spec.fields.removeAll { $0.field == field }
        spec.fields.append(FieldOverride(field, number(for: field)))
      }
      step.action = .send(spec)
    case .linux(.open(let device, let sub, let pages, let vp, let status)):
      let newPages = pick([pages ?? 64, 4, 6, 26, 28, 30, 54, 56, 8192])
      step.action = .linux(
        .open(
          device: device, subchannel: sub, ringPages: newPages,
          targetVP: pick([vp ?? 0, 1, 3, 64]),
          expectStatus: status))
    case .linux(.connect(let versions, let vcpu)):
      step.action = .linux(.connect(versions: versions, vcpu: pick([vcpu, 1, 64, 0xFFFF_FFFF])))
    case .wait(var wait):
      // A wait that expects silence needs a deadline to expect it by.
      wait.timeout = pick(
        wait.expectTimeout
          ? [wait.timeout, .milliseconds(10)] : [wait.timeout, .milliseconds(10), nil])
      step.action = .wait(wait)
    default:
      step.action = .environment(environmentAction())
    }
    return step
  }

  /// Something outside the guest's messages that QEMU can receive: a busy slot, the message
  /// page torn down or set up again, a machine reset, a live migration, an event signal.
  private mutating func environmentAction() -> EnvironmentAction {
    switch choices.pick(below: 6) {
    case 0: .slotBusy(deliveries: 1 + choices.pick(below: 3))
    case 1: .teardownMessagePage
    case 2: .restoreMessagePage
    case 3: .machineReset
    case 4: .migrate
    // The bus's connection, the first channel's (16 + relid 1, while it is open), one
    // nothing listens on, and one with bits outside HV_CONNECTION_ID_MASK.
    default: .signalEvent(connectionID: pick([2, 17, 3, 0x0100_0002]))
    }
  }
}
