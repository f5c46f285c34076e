import VMBusHost
import VMBusWire

/// The Linux ops of an actor's step: reply matching (`chn_msg_list`), channel states, GPADLs
/// and kernel lifetimes (docs/linux-guest-model.md).
extension Simulation {
  /// A Linux op that takes a scheduler step: a post, or taking a linked reply.
  mutating func runLinux(_ index: Int, _ op: LinuxOp) {
    switch op {
    case .awaitLinked(let timeout): awaitLinked(index, timeout: timeout)
    case .postGpadl(let purpose, let part, let onFailure):
      var message: [UInt8]?
      if let gpadl = kernel.gpadl(for: purpose), let offer = kernel.offer(for: purpose.channel) {
        message = gpadlMessage(relid: offer.childRelid, gpadl: gpadl, part: part)
      }
      postLinux(index, onFailure: onFailure) { _ in message }
    case .postOpen(let channel, let vp, let onFailure):
      postLinux(index, onFailure: onFailure) { kernel in
        guard let offer = kernel.offer(for: channel),
          let ring = kernel.gpadl(for: GpadlPurpose(channel, .ring))
        else { return nil }
        // `downstream_ringbuffer_pageoffset`: the send ring is the first half.
        return ChannelMessage.openChannel(
          OpenChannel(
            childRelid: offer.childRelid, openID: offer.childRelid.rawValue,
            ringBufferGpadlID: GpadlID(ring.id), targetVP: vp ?? kernel.targetVP(of: channel),
            ringBufferOffset: ring.pages / 2)
        ).encoded()
      }
    case .postClose(let channel, let onFailure):
      postLinux(index, onFailure: onFailure) { kernel in
        kernel.offer(for: channel).map {
          ChannelMessage.closeChannel(CloseChannel(childRelid: $0.childRelid)).encoded()
        }
      }
    case .postTeardown(let purpose, let onFailure):
      postLinux(index, onFailure: onFailure) { kernel in
        guard let gpadl = kernel.gpadl(for: purpose), let offer = kernel.offer(for: purpose.channel)
        else { return nil }
        return ChannelMessage.gpadlTeardown(
          GpadlTeardown(childRelid: offer.childRelid, gpadlID: GpadlID(gpadl.id))
        ).encoded()
      }
    case .postTLConnect(let port, let onFailure):
      postLinux(index, onFailure: onFailure) { _ in
        TLConnectRequest(localPort: Self.firstEphemeralVsockPort, remotePort: port).encoded()
      }
    case .enterS3:
      wakeFromS3(by: actors[index].name)
      advance(index)
    default:
      // Blocking ops that became possible, and bookkeeping (normally run by `advance`).
      if runInline(index, op) { advance(index, from: actors[index].pc) }
    }
  }

  /// Runs a Linux op that takes no time. Returns false when the actor must stop here (it
  /// blocked, or the run ended); true once `pc` points at its next op.
  mutating func runInline(_ index: Int, _ op: LinuxOp) -> Bool {
    switch op {
    case .link(.allOffersDelivered) where kernel.allOffersDelivered:
      // The completion is never re-armed: one left over ends this wait at once.
      kernel.allOffersDelivered = false
      actors[index].linked = ActorRuntime.LinkedWait(
        condition: ReplyCondition(type: .allOffersDelivered, fields: []),
        reply: .allOffersDelivered, order: nextLinkOrder)
      nextLinkOrder &+= 1
    case .link(let reply):
      guard let condition = linkCondition(reply) else {
        // Nothing to match it on (the channel has no offer or GPADL): a reply cannot be
        // told apart, so none will complete it.
        actors[index].linked = ActorRuntime.LinkedWait(
          condition: ReplyCondition(type: .invalid, fields: []), reply: nil, order: nextLinkOrder)
        nextLinkOrder &+= 1
        actors[index].pc += 1
        return true
      }
      actors[index].linked = ActorRuntime.LinkedWait(
        condition: condition, reply: nil, order: nextLinkOrder)
      nextLinkOrder &+= 1
    case .jumpIfReplyFailed(let target):
      if let status = actors[index].lastReplyStatus, status != 0 {
        actors[index].pc = target
        return true
      }
    case .jumpUnless(let condition, let target):
      if !holds(condition) {
        actors[index].pc = target
        return true
      }
    case .allocateGpadl(let purpose, let pages): kernel.allocateGpadl(for: purpose, pages: pages)
    case .setChannel(let channel, let state): kernel.setState(state, of: channel)
    case .setCreated(let purpose, let created): kernel.setCreated(created, for: purpose)
    case .startUnload(let skip):
      let first = kernel.startUnload()
      let version = kernel.connectedVersion
      if !first || !scenario.guest.kernel.sendsUnload(connectedAt: version) {
        let name = actors[index].name
        note(
          .environment, actor: name,
          first
            ? "vmbus_initiate_unload: version \(version.map { "\($0)" } ?? "none") has no UNLOAD, none sent"
            : "vmbus_initiate_unload: the connection is already DISCONNECTED, nothing sent",
          from: events.count)
        actors[index].pc = skip
        return true
      }
    case .pollForUnload(let polling): kernel.pollingForUnload = polling
    case .clearMessageSlots:
      // `vmbus_wait_for_unload` clears every CPU's slot (no EOM).
      if synic.isOccupied && synic.delivery == .waitingForEOM { synic.emptiedWithoutEOM = true }
      synic.slot = nil
    case .awaitProbes:
      if !probesDone(besides: index) {
        block(index, .probes, deadline: nil)
        return false
      }
    case .lockDevice(let device):
      if !kernel.lock(device: device) {
        block(index, .deviceLock(device), deadline: nil)
        return false
      }
    case .unlockDevice(let device):
      kernel.unlock(device: device)
      refreshBlocked()
      // Linux's mutex does not hand itself to a waiter: whichever task runs first takes it.
      // So the unlocking task stops here while another waits, and its next lock (an unbind
      // after a probe) can come before or after the waiter's.
      actors[index].pc += 1
      return actors[index].finishedProgram
        || !someoneWaits(for: .deviceLock(device), besides: index)
    case .lockSystemTransition(let busy):
      if !kernel.lockSystemTransition() {
        guard let busy else {
          block(index, .systemTransition, deadline: nil)
          return false
        }
        actors[index].pc = busy
        return true
      }
    case .freezeProcesses:
      if kernel.processesFrozenBy == nil { kernel.processesFrozenBy = index }
      guard tasksFreezable(besides: index) else {
        block(index, .tasksToFreeze, deadline: nil)
        return false
      }
    case .thawProcesses:
      kernel.processesFrozenBy = nil
      refreshBlocked()
    case .freezePoint:
      if let freezer = kernel.processesFrozenBy, freezer != index, !actors[index].restartsWithKernel
      {
        block(index, .frozen, deadline: nil)
        return false
      }
    case .takeKexecLock: kernel.kexecLocked = true
    case .haltAfterPanic:
      note(
        .environment, actor: actors[index].name,
        "panic: a kexec holds the kexec lock, so __crash_kexec starts no crash kernel; the other CPUs stop and the machine halts (panic=0)",
        from: events.count)
      finish(.passed, "the kernel panicked during a kexec and the machine halted")
      return false
    case .unlockSystemTransition:
      // A mutex too: the task that unlocks may take it again first, or a waiter may.
      kernel.unlockSystemTransition()
      refreshBlocked()
      actors[index].pc += 1
      return actors[index].finishedProgram || !someoneWaits(for: .systemTransition, besides: index)
    case .blockProbing(let blocked):
      kernel.probingBlocked = blocked
      if !blocked { refreshBlocked() }
    case .awaitOffer(let channel, let timeout):
      if !mayProbe(channel, by: index) {
        block(index, .offer(channel), deadline: timeout.map { now + $0 })
        return false
      }
    case .awaitResumeOffers(let timeout):
      if !resumeOffersBack {
        block(index, .resumeOffers, deadline: now + timeout)
        return false
      }
    case .awaitSubchannelRescinds:
      // QEMU never sends RESCIND_CHANNELOFFER (docs/qemu-reference.md §6.6): not after a close,
      // and not for a device, since VMBus devices are cold-plugged.
      if kernel.offers.contains(where: { $0.subChannelIndex != 0 }) {
        block(index, .subchannelRescinds, deadline: nil)
        return false
      }
    case .rememberOpenChannels: kernel.rememberOpenChannels()
    case .saveHibernationImage: kernel.saveImage()
    case .powerOff(let state):
      // QEMU takes S4 and S5 as a shutdown request (`acpi_pm1_cnt_write`): the process
      // exits, or the VM stops; nothing after this reaches this QEMU (the restore boots
      // elsewhere).
      note(
        .environment, actor: actors[index].name,
        "the machine enters \(state.rawValue) and powers off", from: events.count)
      finish(
        .passed,
        "the machine powered off (ACPI \(state.rawValue)) with the hibernation image written")
      return false
    case .restartKernel(let kind): restartKernel(kind, by: index)
    case .expectOpenStatus(let channel, let status):
      guard openMet(channel, expecting: status, by: index) else { return false }
    case .log(let text):
      note(.environment, actor: actors[index].name, text, from: events.count)
    case .offlineSecondaryCPUs(let onFailure):
      if let cpu = kernel.secondaryCPUHoldingAChannel {
        note(
          .environment, actor: actors[index].name,
          "freeze_secondary_cpus: Error taking CPU\(cpu) down: -16 (hv_synic_cleanup: a channel is bound to it); the suspend is aborted",
          from: events.count)
        actors[index].pc = onFailure
        return true
      }
    case .awaitLinked, .postGpadl, .postOpen, .postClose, .postTeardown, .postTLConnect, .enterS3:
      // These take a step of their own.
      return false
    }
    actors[index].pc += 1
    return true
  }

  // MARK: Linked replies

  /// The reply a linked request waits for, as its handler matches it, from what the kernel
  /// knows now.
  private func linkCondition(_ reply: LinkedReply) -> ReplyCondition? {
    switch reply {
    case .versionResponse: return ReplyCondition(type: .versionResponse, fields: [])
    case .allOffersDelivered: return ReplyCondition(type: .allOffersDelivered, fields: [])
    case .unloadResponse: return ReplyCondition(type: .unloadResponse, fields: [])
    case .gpadlCreated(let purpose):
      guard let gpadl = kernel.gpadl(for: purpose), let offer = kernel.offer(for: purpose.channel)
      else { return nil }
      return ReplyCondition(
        type: .gpadlCreated,
        fields: [(.childRelid, UInt64(offer.childRelid.rawValue)), (.gpadlID, UInt64(gpadl.id))])
    case .openResult(let channel):
      guard let offer = kernel.offer(for: channel) else { return nil }
      let relid = UInt64(offer.childRelid.rawValue)
      return ReplyCondition(
        type: .openChannelResult, fields: [(.childRelid, relid), (.openID, relid)])
    case .gpadlTorndown(let purpose):
      guard let gpadl = kernel.gpadl(for: purpose) else { return nil }
      return ReplyCondition(type: .gpadlTorndown, fields: [(.gpadlID, UInt64(gpadl.id))])
    }
  }

  /// Linux's message handlers: a reply completes the earliest linked request it matches
  /// (VERSION_RESPONSE every waiting INITIATE_CONTACT); one that matches none is dropped.
  /// Returns the actors it completed (a reply one took this way is not also in its inbox).
  @discardableResult
  mutating func completeLinked(with message: ChannelMessage) -> [Int] {
    var earliest: Int?
    var completed: [Int] = []
    for index in actors.indices {
      guard let linked = actors[index].linked, linked.reply == nil,
        linked.condition.matches(message)
      else { continue }
      if message.type == .versionResponse {
        complete(index, with: message)
        completed.append(index)
      } else if earliest.map({ linked.order < (actors[$0].linked?.order ?? .max) }) ?? true {
        earliest = index
      }
    }
    if let earliest {
      complete(earliest, with: message)
      completed.append(earliest)
    } else if message.type == .allOffersDelivered {
      // `complete()` on a completion nobody waits on is kept for the next wait.
      kernel.allOffersDelivered = true
    }
    return completed
  }

  private mutating func complete(_ index: Int, with message: ChannelMessage) {
    actors[index].linked?.reply = message
    if case .waiting = actors[index].status { actors[index].hasMatchingMessage = true }
  }

  /// `wait_for_completion` on the linked request: take its reply, or wait.
  private mutating func awaitLinked(_ index: Int, timeout: VirtualDuration?) {
    guard let linked = actors[index].linked else {
      // Unlinked by a restart of the conversation: nothing will answer.
      actors[index].status = .waiting(
        .init(
          condition: ReplyCondition(type: .invalid, fields: []),
          expect: ReplyCondition(
            type: .invalid, fields: []), deadline: timeout.map { now + $0 },
          onTimeout: .proceed, expectTimeout: false))
      return
    }
    guard let reply = linked.reply else {
      // The reply went to an earlier link: only a new one can wake it.
      actors[index].hasMatchingMessage = false
      actors[index].status = .waiting(
        .init(
          condition: linked.condition,
          expect: ReplyCondition(type: linked.condition.type, fields: []),
          deadline: timeout.map { now + $0 }, onTimeout: .proceed, expectTimeout: false))
      return
    }
    actors[index].linked = nil
    actors[index].hasMatchingMessage = false
    switch reply {
    case .versionResponse(let response):
      actors[index].lastVersionRefused = response.versionSupported == 0
    case .gpadlCreated(let created): actors[index].lastReplyStatus = created.status
    case .openChannelResult(let result): actors[index].lastReplyStatus = result.status
    default: break
    }
    advance(index)
  }

  // MARK: Posts

  /// Posts the message `build` makes from the kernel's state, with Linux's retries. A
  /// message that cannot be built (its channel lost its offer) fails like a refused post.
  private mutating func postLinux(
    _ index: Int, onFailure: Int, _ build: (GuestKernel) -> [UInt8]?
  ) {
    guard let payload = build(kernel), let word = payload.littleEndianWord(at: 0) else {
      note(
        .environment, actor: actors[index].name,
        "the channel has no offer: the message cannot be built, the call fails", from: events.count)
      actors[index].linked = nil
      return advance(index, from: onFailure)
    }
    let call = GuestHypercall(
      connectionID: kernel.connectedVersion.map { $0 >= .win10v5 ? 4 : 1 } ?? 1, messageType: 1,
      payloadSize: UInt32(payload.count), payload: payload)
    post(
      index, call, type: MessageType(word), retry: .linux(isContact: false), onFailure: onFailure)
  }

  /// Message `part` of the GPADL: `GpadlHeader.pageAlignedMessages` over the buffer's pages
  /// as the guest's memory layout places them, encoded. The whole split is built at once (a
  /// 4096-page buffer is 147 messages, and the guest posts every one), shared through the
  /// message cache, and kept for the parts that follow.
  mutating func gpadlMessage(relid: ChannelID, gpadl: GuestKernel.Gpadl, part: Int) -> [UInt8]? {
    let key = MessageCache.LinuxGpadl(relid: relid.rawValue, id: gpadl.id, pages: gpadl.pages)
    let split: [[UInt8]]
    if let posting = postingSplit.value, posting.gpadl == key {
      split = posting.messages
    } else if let cached = messageCache?.split(of: key) {
      split = cached
    } else {
      split = GpadlHeader.pageAlignedMessages(
        childRelid: relid, gpadlID: GpadlID(gpadl.id),
        pfns: GuestMemoryLayout.frames(of: GpadlID(gpadl.id), pages: Int(gpadl.pages))
      ).map { $0.encoded() }
      messageCache?.store(split, of: key)
    }
    postingSplit.value = GpadlSplit(gpadl: key, messages: split)
    return split.indices.contains(part) ? split[part] : nil
  }

  // MARK: Kernel state

  private func holds(_ condition: KernelCondition) -> Bool {
    switch condition {
    case .channel(let channel, let state): kernel.state(of: channel) == state
    case .offered(let channel): kernel.isOffered(channel)
    case .created(let purpose): kernel.gpadl(for: purpose)?.created ?? false
    case .openBeforeRestart(let channel): kernel.wasOpenBeforeRestart(channel)
    case .connectedAtLeast(let version): kernel.connectedVersion.map { $0 >= version } ?? false
    case .savedVersion(let version): kernel.savedVersion == version
    case .kexecLockFree: !kernel.kexecLocked
    }
  }

  /// Whether every primary the hibernation image had open is offered again.
  private var resumeOffersBack: Bool {
    kernel.openBeforeRestart.allSatisfy { $0.subchannel != 0 || kernel.isOffered($0) }
  }

  /// Whether every driver probe but `index` is done: finished, or never started because its
  /// device was not offered (`wait_for_device_probe` waits only for probes under way).
  private func probesDone(besides index: Int) -> Bool {
    actors.indices.allSatisfy { other in
      guard other != index, actors[other].restartsWithKernel else { return true }
      switch actors[other].status {
      case .done: return true
      case .blocked(let blocked): return !blocked.reason.isWait
      default: return false
      }
    }
  }

  /// Whether the host offered `channel` and, for a driver probe, probing is not blocked.
  private func mayProbe(_ channel: DeviceChannel, by index: Int) -> Bool {
    kernel.isOffered(channel) && !(actors[index].restartsWithKernel && kernel.probingBlocked)
  }

  private mutating func block(
    _ index: Int, _ reason: ActorRuntime.BlockReason, deadline: VirtualDuration?
  ) {
    actors[index].status = .blocked(.init(reason: reason, deadline: deadline))
    actors[index].unblocked = false
  }

  /// The local port of a guest socket that connects unbound: af_vsock's first ephemeral
  /// port (`LAST_RESERVED_PORT + 1`). Linux starts its counter at a random port above it;
  /// no modelled host reads the field.
  static var firstEphemeralVsockPort: UInt32 { 1024 }

  /// Whether every task but `index` can freeze: finished, asleep (not in `vmbus_post_msg`'s
  /// back-off, an uninterruptible `msleep` inside a call), between two steps, waiting for its
  /// device to be offered (a freeze point follows), or already stopped where it cannot act
  /// (frozen, or waiting for the transition mutex, which the freezer's task holds). Kernel workers (driver probes) do not freeze; `dpm_prepare`
  /// waits for them.
  private func tasksFreezable(besides index: Int) -> Bool {
    actors.indices.allSatisfy { other in
      guard other != index, !actors[other].restartsWithKernel else { return true }
      switch actors[other].status {
      case .done: return true
      case .sleeping: return actors[other].attempt == 1
      case .blocked(let blocked):
        switch blocked.reason {
        case .frozen, .systemTransition, .offer: return true
        default: return false
        }
      default:
        if case .linux(.freezePoint) = actors[other].currentOp { return true }
        return false
      }
    }
  }

  /// Whether another actor is blocked for `reason` (a lock the actor just released).
  private func someoneWaits(for reason: ActorRuntime.BlockReason, besides index: Int) -> Bool {
    actors.indices.contains { other in
      guard other != index, case .blocked(let blocked) = actors[other].status else { return false }
      return blocked.reason == reason
    }
  }

  /// Re-checks every blocked actor's condition (after an offer arrives or a probe ends).
  mutating func refreshBlocked() {
    for index in actors.indices {
      guard case .blocked(let blocked) = actors[index].status else { continue }
      let unblocked =
        switch blocked.reason {
        case .probes: probesDone(besides: index)
        case .offer(let channel): mayProbe(channel, by: index)
        case .resumeOffers: resumeOffersBack
        case .subchannelRescinds: false
        case .deviceLock(let device): !kernel.lockedDevices.contains(device)
        case .systemTransition: !kernel.systemTransitionHeld
        case .tasksToFreeze: tasksFreezable(besides: index)
        case .frozen: kernel.processesFrozenBy == nil
        }
      // Written only when it changes: a write copies an actor a copied run shares.
      if actors[index].unblocked != unblocked { actors[index].unblocked = unblocked }
    }
  }

  /// Whether `linux.open`'s expectation holds; else the run ends with what Linux returned.
  private mutating func openMet(_ channel: DeviceChannel, expecting status: UInt32, by index: Int)
    -> Bool
  {
    let opened = kernel.state(of: channel) == .opened
    let got = actors[index].lastReplyStatus
    if status == 0 ? opened : got == status { return true }
    let what =
      opened
      ? "the open succeeded"
      : got.map { "vmbus_open failed after status \($0)" } ?? "vmbus_open failed before a result"
    finish(
      .expectationFailed,
      "\(actors[index].name)\(where: actors[index].currentLocation): \(channel): expected OPENCHANNEL_RESULT status \(status), \(what)"
    )
    return false
  }

  /// The kernel gives way to the next: its SynIC message page goes down until the new kernel
  /// runs, its driver probes start over, and nothing the old one asked is owed any more.
  private mutating func restartKernel(_ kind: GuestKernel.Restart, by index: Int) {
    let begin = events.count
    kernel.restart(kind)
    // The old kernel handled what its slot held, and EOMed it, before it went: Linux's
    // `vmbus_on_msg_dpc` signals EOM in the tasklet that ran the handler, and hibernation
    // and kexec take the CPUs down only after their tasklets ran. QEMU's retry of a message
    // that found the slot busy is then due, into the new kernel's page or its absence.
    if synic.isOccupied && synic.delivery == .waitingForEOM { synic.delivery = .eomSeen }
    synic.slot = nil
    synic.messagePageEnabled = false
    synic.guestRebooting = true
    for other in actors.indices {
      actors[other].forgetRequests(because: Finding.requestsBeforeKernelRestart)
    }
    // Its own deliveries belonged to the old kernel too (plain waits read the inbox).
    actors[index].forgetKernelState()
    if kind == .fresh { restartKernelActors(except: index) }
    let what =
      switch kind {
      case .fresh: "a new kernel starts"
      case .resume: "the hibernation image resumes"
      case .restoreImage: "the hibernation image is loaded and resumes"
      }
    note(.environment, actor: actors[index].name, what, from: begin)
  }

  /// A new kernel: driver probes start over; every actor's linked requests and inbox belong
  /// to the old one.
  mutating func restartKernelActors(except caller: Int?) {
    for index in actors.indices where index != caller {
      if actors[index].restartsWithKernel {
        actors[index].restart()
      } else {
        actors[index].forgetKernelState()
      }
    }
    // The new kernel holds no device locks and may have offers a blocked actor waits for.
    refreshBlocked()
  }

}

extension Finding {
  /// Why requests posted before a kernel restart are owed no more.
  static let requestsBeforeKernelRestart = Finding(
    .kernelRestartReplyForgotten,
    "the guest's kernel gave way to a new one (kexec, kdump or hibernation) after it was posted; the new kernel awaits nothing the old one asked"
  )
}
