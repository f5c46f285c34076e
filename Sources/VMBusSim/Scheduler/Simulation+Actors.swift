import VMBusHost
import VMBusWire

/// The guest side of a step: an actor takes its next op.
extension Simulation {
  mutating func runActor(_ index: Int) {
    if synic.guestRebooting {
      // The new kernel's SynIC set-up (`hv_synic_enable_regs`) comes before its first step.
      synic.guestRebooting = false
      synic.messagePageEnabled = true
    }
    guard let op = actors[index].currentOp else {
      actors[index].status = .done
      return
    }
    switch op {
    case .post(let spec, let retry, let onFailure):
      post(index, spec, retry: retry, onFailure: onFailure)
    case .waitFor(let spec, let onTimeout): waitForReply(index, spec, onTimeout: onTimeout)
    case .sleep(let duration):
      actors[index].pc += 1
      actors[index].status = .sleeping(until: now + duration)
    case .environment(let action):
      environment(action, by: actors[index].name)
      advance(index)
    case .linux(let linux): runLinux(index, linux)
    case .jump, .jumpIfRefused, .jumpIfConnectedBelow, .recordConnected, .fail:
      advance(index)
    }
  }

  /// Moves past the current op, then runs ops that take no time (jumps and bookkeeping)
  /// until one that interacts with the host or the clock.
  mutating func advance(_ index: Int, from jumpTarget: Int? = nil) {
    actors[index].pc = jumpTarget ?? actors[index].pc + 1
    actors[index].status = .ready
    actors[index].attempt = 1
    // An op that waits ends the walk; matched before `currentOp` copies it (a post carries
    // its message).
    while !isFinished, !actors[index].currentOpWaits, let op = actors[index].currentOp {
      switch op {
      case .jump(let target):
        actors[index].pc = target
      case .jumpIfRefused(let target):
        actors[index].pc = actors[index].lastVersionRefused ? target : actors[index].pc + 1
      case .jumpIfConnectedBelow(let version, let target):
        let connected = kernel.connectedVersion.map { $0 >= version } ?? false
        actors[index].pc = connected ? actors[index].pc + 1 : target
      case .linux(let linux):
        guard runInline(index, linux) else { return }
      case .recordConnected(let version):
        kernel.connectedVersion = version
        actors[index].pc += 1
      case .fail(let message):
        finish(
          .expectationFailed,
          "\(actors[index].name)\(where: actors[index].currentLocation): \(message)")
        return
      case .post, .waitFor, .sleep, .environment:
        return
      }
    }
    if actors[index].finishedProgram {
      actors[index].status = .done
      if actors[index].restartsWithKernel { refreshBlocked() }
    }
  }

  private mutating func post(_ index: Int, _ spec: MessageSpec, retry: RetryPolicy, onFailure: Int?)
  {
    let name = actors[index].name
    switch MessageBuilder.hypercall(spec, kernel: kernel, cache: messageCache) {
    case .success(let call): post(index, call, type: spec.type, retry: retry, onFailure: onFailure)
    case .failure(let error):
      finish(.expectationFailed, "\(name)\(where: actors[index].currentLocation): \(error)")
    }
  }

  /// Posts a built message (HvPostMessage), retrying as `retry` says. A final failure
  /// continues at `onFailure`, and takes back the request Linux linked for it
  /// (`list_del` of the msginfo); nil carries on, still linked.
  mutating func post(
    _ index: Int, _ call: GuestHypercall, type: MessageType, retry: RetryPolicy, onFailure: Int?
  ) {
    let name = actors[index].name
    let begin = events.count
    var status = HypercallStatus.success
    for seq in input(.hypercall(call)) {
      if case .simulator(.hypercall(_, let result)) = events[seq] { status = result }
    }
    note(
      .guestToHost, actor: name,
      "\((try? ChannelMessage(decoding: call.effectivePayload))?.summary ?? "\(type.name) (malformed)") [\(status)]",
      from: begin)
    guard status != .success else {
      let payload = call.effectivePayload
      var entry: UInt32?
      if let request = RequestKey(payload: payload) {
        noteAsked(request)
        withdrawRequests(superseded: request)
        entry = record(request, payload: payload, by: index)
      }
      queued.append(QueuedRequest(actor: index, payload: payload, entry: entry))
      return advance(index)
    }
    if let backoff = retry.backoff(after: status, attempt: actors[index].attempt) {
      actors[index].attempt += 1
      actors[index].status = .sleeping(until: now + backoff)
      return
    }
    if onFailure != nil { actors[index].linked = nil }
    advance(index, from: onFailure)
  }

  /// Notes a request the host must now answer; a GPADL becomes one only with its last page.
  /// Returns the id of the entry it made, for the queue to judge that entry and no other.
  private mutating func record(_ request: RequestKey, payload: [UInt8], by index: Int)
    -> UInt32?
  {
    // Asked again: owed again. (Checked first: most runs never withdraw anything.)
    if !actors[index].withdrawn.isEmpty { actors[index].withdrawn[request] = nil }
    switch request.type {
    case .gpadlHeader:
      guard let (header, carried) = GpadlHeader.fixedPart(of: payload) else { return nil }
      let missing =
        UInt64(header.declaredPageCount) - UInt64(min(carried, Int(header.declaredPageCount)))
      // Pages to come need an id for the bodies to name.
      guard missing == 0 || request.key != nil else { return nil }
      return actors[index].requests.post(request, missingPages: missing)
    case .gpadlBody:
      guard let id = request.key, let (_, carried) = GpadlBody.fixedPart(of: payload) else {
        return nil
      }
      actors[index].requests.add(pages: UInt64(carried), toGpadl: id)
      return nil
    default:
      return actors[index].requests.post(request)
    }
  }

  /// The guest withdraws what a new request supersedes: a new contact or an UNLOAD starts
  /// the conversation over, and a teardown of a GPADL cancels its creation. A hang waiting
  /// for a withdrawn request is the guest's doing, not the host's.
  private mutating func withdrawRequests(superseded request: RequestKey) {
    switch request.type {
    case .initiateContact, .unload, .gpadlTeardown: break
    default: return  // nothing to withdraw; spares a pass over every actor per request
    }
    for index in actors.indices {
      switch request.type {
      case .initiateContact, .unload:
        actors[index].forgetRequests()
      case .gpadlTeardown:
        actors[index].requests.withdrawGpadl(request.key)
      default:
        break
      }
    }
  }

  private mutating func waitForReply(_ index: Int, _ spec: WaitSpec, onTimeout: TimeoutAction) {
    let name = actors[index].name
    let condition: ReplyCondition
    let expect: ReplyCondition
    switch (resolve(spec.type, spec.match), resolve(spec.type, spec.expect)) {
    case (.success(let c), .success(let e)):
      condition = c
      expect = e
    case (.failure(let error), _), (_, .failure(let error)):
      return finish(.expectationFailed, "\(name)\(where: actors[index].currentLocation): \(error)")
    }
    guard let found = actors[index].inbox.firstIndex(where: { condition.matches($0.message) })
    else {
      // Nothing it waits for is here (a message that matched went to another wait): only a
      // new one can wake it.
      actors[index].hasMatchingMessage = false
      let deadline = spec.timeout.map { now + $0 }
      actors[index].status = .waiting(
        .init(
          condition: condition, expect: expect, deadline: deadline, onTimeout: onTimeout,
          expectTimeout: spec.expectTimeout))
      return
    }
    let message = actors[index].take(at: found)
    actors[index].hasMatchingMessage = false
    if spec.expectTimeout {
      return finish(
        .expectationFailed,
        "\(name)\(where: actors[index].currentLocation): expected no \(spec.type.name), got \(message.summary)"
      )
    }
    if let mismatch = expect.mismatch(in: message) {
      return finish(
        .expectationFailed, "\(name)\(where: actors[index].currentLocation): \(mismatch)")
    }
    if case .versionResponse(let response) = message {
      actors[index].lastVersionRefused = response.versionSupported == 0
    }
    advance(index)
  }

  private func resolve(_ type: MessageType, _ values: [ReplyValue]) -> Result<
    ReplyCondition, GuestError
  > {
    var fields: [(field: ReplyField, value: UInt64)] = []
    fields.reserveCapacity(values.count)
    for value in values {
      switch kernel.resolve(value.value) {
      case .success(let number): fields.append((value.field, number))
      case .failure(let error): return .failure(error)
      }
    }
    return .success(ReplyCondition(type: type, fields: fields))
  }

  /// An environment action from a script.
  mutating func environment(_ action: EnvironmentAction, by actor: String) {
    let begin = events.count
    switch action {
    case .slotBusy(let deliveries):
      synic.forcedBusy += deliveries
      note(
        .environment, actor: actor,
        "guest keeps its message slot busy for \(deliveries) deliveries", from: begin)
    case .teardownMessagePage:
      synic.messagePageEnabled = false
      note(.environment, actor: actor, "guest tears down its SynIC message page", from: begin)
    case .restoreMessagePage:
      synic.messagePageEnabled = true
      note(.environment, actor: actor, "guest sets up its SynIC message page", from: begin)
    case .machineReset:
      let hardened = decision.state.isHardened
      if hardened { input(.resetMachine) } else { qemuResetsMachine() }
      // The guest reboots: nothing it asked for before is owed any more, by QEMU or by a
      // correct host (openvmm's `reset()` sends nothing).
      for index in actors.indices {
        actors[index].forgetRequests(because: Finding.requestsBeforeMachineReset)
      }
      oracle.machineReset()
      // The guest reboots: a fresh kernel and an empty slot. `synic_reset` cleared the
      // message page address; the new kernel sets one up before it sends anything, so a
      // delivery the vCPU attempts before then finds none (-ENXIO).
      if hardened {
        // The hardened host cancels the message it staged before the reset, as openvmm's
        // `reset()` drops its pending messages: no late completion can be taken for the
        // next message's (docs/hardened.md, §9 entry 46).
        mainLoop.cancelDeliveryCompletions()
        synic.delivery = .idle
      }
      // What a rebooted kernel's drivers probe again (`linux.reboot`), and a hibernation
      // image to restore.
      kernel = kernel.afterMachineReset(
        devices: scenario.host.devices + addedDevices, vcpus: scenario.host.vcpus)
      restartKernelActors(except: nil)
      synic.slot = nil
      synic.emptiedWithoutEOM = false
      synic.messagePageEnabled = false
      synic.guestRebooting = true
      note(.environment, actor: actor, "machine reset", from: begin)
    case .deviceReset(let name):
      if let config = kernel.device(named: name) {
        input(.resetDevice(instanceID: config.instanceID))
        tookInputBeyondQEMU = true
      }
      note(.environment, actor: actor, "device \(name) reset", from: begin)
    case .deviceAdded(let device):
      input(.realizeDevice(device.config))
      tookInputBeyondQEMU = true
      kernel.add(device)
      addedDevices.append(device)
      note(.environment, actor: actor, "device \(device.name) added", from: begin)
    case .corruptRing(let name):
      if let id = kernel.ringGpadl(for: DeviceChannel(name)) {
        input(.corruptRingIndices(GpadlID(id)))
      }
      note(.environment, actor: actor, "guest corrupts the ring indices of \(name)", from: begin)
    case .migrate:
      migrate(by: actor)
    case .signalEvent(let id):
      var status = HypercallStatus.success
      for seq in input(.signalEvent(connectionID: id)) {
        if case .simulator(.signal(_, let result)) = events[seq] { status = result }
      }
      note(.guestToHost, actor: actor, "HvSignalEvent(\(id)) [\(status)]", from: begin)
    }
  }
}

extension Simulation {
  /// `qemu_system_reset`, or the same reset at a wake from S3 (`pc_machine_wakeup`).
  mutating func qemuResetsMachine() {
    input(.resetMachine)
    if case .posted = synic.delivery {
      // QEMU 5.1-7.0 (later releases abort in the reset): the vCPU runs its queued
      // `cpu_post_msg` before the guest runs again, and `synic_reset` has cleared the
      // message page, so the staged message fails with -ENXIO and its completion is due.
      synic.delivery = .idle
      mainLoop.schedule(.deliveryCompletion(DeliveryStatus.noMessagePage))
    }
  }

  /// ACPI S3, then QEMU's wake (`qemu_system_wakeup` → `pc_machine_wakeup`): QEMU resets the
  /// machine exactly as `qemu_system_reset` does (its bus's `vmbus_deinit` does not look at
  /// the reset's type), but the guest's kernel runs on, keeping its connection, channels and
  /// GPADLs, and its `hv_synic_resume` sets CPU 0's message page up again before anything
  /// else runs. Nothing tells the guest: VMBus has no message for it, and Hyper-V offers no
  /// S3. The hardened host keeps its bus across a wake, as QEMU's virtio-balloon skips a
  /// RESET_TYPE_WAKEUP.
  mutating func wakeFromS3(by actor: String) {
    let begin = events.count
    let before = decision.state
    let text: String
    if before.isHardened {
      text = "the machine enters S3 and wakes; the hardened host keeps its bus across the wake"
    } else {
      qemuResetsMachine()
      oracle.wakeupReset(before: before)
      let open = before.channels.filter { if case .open = $0.state { true } else { false } }
      text =
        "the machine enters S3; QEMU wakes it with a machine reset (pc_machine_wakeup)"
        + (before.isInitialized
          ? ", which drops the connection, \(open.count) open channel(s) and "
            + "\(before.gpadls.count) GPADL(s) the kernel still holds" : "")
    }
    synic.messagePageEnabled = true
    note(.environment, actor: actor, text, from: begin)
  }
}

extension Finding {
  /// Why requests posted before a machine reset are owed no more.
  static let requestsBeforeMachineReset = Finding(
    .machineResetReplyForgotten,
    "a machine reset came after it was posted; QEMU's bus reset forgets a reply in flight and the guest rebooted (a correct host's reset sends nothing either)"
  )
}
