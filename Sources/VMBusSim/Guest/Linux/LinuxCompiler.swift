import VMBusHost
import VMBusWire

/// Expands a `linux.*` step into ops, function by function of `drivers/hv`
/// (docs/linux-guest-model.md cites each). Forward jumps are patched once their target is
/// known: `label()` hands out a placeholder, `bind(_:)` fixes it to the next op.
struct LinuxCompiler {
  private(set) var program: GuestProgram
  private let step: Step
  private let context: CompileContext
  /// Each label's ops waiting for its address, and the addresses bound so far.
  private var pending: [Int: [Int]] = [:]
  private var nextLabel = 0

  init(program: GuestProgram, step: Step, context: CompileContext) {
    self.program = program
    self.step = step
    self.context = context
  }

  mutating func compile(_ linux: LinuxStep) {
    // Each step starts back in user space, where a frozen task stops; a crash or a SysRq
    // comes whenever.
    if linux != .kdump && linux != .emergencyRestart { emit(.linux(.freezePoint)) }
    switch linux {
    case .connect(let versions, let vcpu):
      connect(versions ?? context.kernel.versionTable, vcpu: vcpu)
    case .requestOffers(let wait): requestOffers(wait: wait ?? context.kernel.waitsForAllOffers)
    case .open(let device, let subchannel, let pages, let vp, let expectStatus):
      let channel = DeviceChannel(device, subchannel)
      emit(.linux(.awaitOffer(channel, timeout: nil)))
      // Waiting for the device is waiting in user space: a freezer may stop the task here.
      emit(.linux(.freezePoint))
      open(channel, pages: pages ?? ringPages(of: device), vp: vp)
      emit(.linux(.expectOpenStatus(channel, expectStatus)))
    case .close(let device, let subchannel):
      close(DeviceChannel(device, subchannel))
    case .unload(let crash): unload(crash: crash)
    case .probe(let device): probe(device)
    case .remove(let device): lockedRemove(device)
    case .kexec:
      // The reboot syscall holds `system_transition_mutex`; `kernel_restart_prepare` runs
      // `device_shutdown`, then `hv_kexec_handler` unloads.
      emit(.linux(.lockSystemTransition(busy: nil)))
      emit(.linux(.takeKexecLock))
      deviceShutdown()
      unload(crash: false)
      newKernel()
    case .kdump:
      // `__crash_kexec` tries the kexec lock: while a kexec holds it there is no crash
      // kernel, only the panic notifier's polled UNLOAD (nothing if the kexec's came first),
      // and the machine halts.
      let noCrashKernel = label()
      emit(.linux(.jumpUnless(.kexecLockFree, to: target(noCrashKernel))))
      unload(crash: true)
      newKernel()
      let done = label()
      emit(.jump(to: target(done)))
      bind(noCrashKernel)
      unload(crash: true)
      emit(.linux(.haltAfterPanic))
      bind(done)
    case .hibernate(let mode): hibernate(mode)
    case .reboot:
      // The reboot syscall holds `system_transition_mutex`; `kernel_restart` runs
      // `device_shutdown`, and `hv_machine_shutdown` unloads only for kexec.
      emit(.linux(.lockSystemTransition(busy: nil)))
      deviceShutdown()
      emit(.environment(.machineReset))
      bootNewKernel()
    case .emergencyRestart:
      // `sysrq_handle_reboot` → `emergency_restart`: the machine resets at once.
      emit(.environment(.machineReset))
      bootNewKernel()
    case .suspend: suspendToRAM()
    case .hvsockConnect(let port): hvsockConnect(port: port)
    }
    precondition(pending.isEmpty, "a Linux step left a jump unbound")
  }

  // MARK: Labels

  private struct Label: Hashable {
    var id: Int
  }

  private mutating func label() -> Label {
    nextLabel += 1
    return Label(id: nextLabel)
  }

  /// A placeholder target for `label`, patched by `bind`.
  private mutating func target(_ label: Label) -> Int {
    pending[label.id, default: []].append(program.nextIndex)
    return -label.id
  }

  /// Binds `label` to the next op and patches the ops that jump to it.
  private mutating func bind(_ label: Label) {
    let address = program.nextIndex
    for index in pending.removeValue(forKey: label.id) ?? [] {
      program.ops[index] = program.ops[index].retargeted(from: -label.id, to: address)
    }
  }

  private mutating func emit(_ op: GuestOp) {
    program.append(op, from: step)
  }

  private func ringPages(of device: String) -> UInt32 {
    context.driver(of: device).ringPages
  }

  // MARK: connection.c

  /// `vmbus_connect`: each version in turn, linked before its post; a failed post or a
  /// refusal moves on to the next; running off the end fails (-EDOM).
  private mutating func connect(_ versions: [ProtocolVersion], vcpu: UInt32) {
    let done = label()
    for version in versions {
      let next = label()
      negotiate(version, vcpu: vcpu, refused: next, done: done)
      bind(next)
    }
    emit(
      .fail(
        "the host refused every version (\(versions.map(\.description).joined(separator: ", ")))"))
    bind(done)
  }

  /// `vmbus_negotiate_version`: 5.0 and above go to connection id 4 with msg_sint 2, older
  /// ones to id 1 with the interrupt page.
  private mutating func negotiate(
    _ version: ProtocolVersion, vcpu: UInt32, refused: Label, done: Label
  ) {
    let modern = version >= .win10v5
    let fields = [
      FieldOverride(.versionRequested, .number(UInt64(version.rawValue))),
      FieldOverride(.targetVCPU, .number(UInt64(vcpu))),
      FieldOverride(.monitorPage1, .number(GuestMemoryLayout.monitorPages.0)),
      FieldOverride(.monitorPage2, .number(GuestMemoryLayout.monitorPages.1)),
      // msg_sint = 2 shares the interrupt page's bytes from 5.0 on.
      FieldOverride(.interruptPage, .number(modern ? 2 : GuestMemoryLayout.interruptPage)),
    ]
    let spec = MessageSpec(type: .initiateContact, fields: fields, connectionID: modern ? 4 : 1)
    emit(.linux(.link(.versionResponse)))
    emit(.post(spec, retry: .linux(isContact: true), onFailure: target(refused)))
    emit(.linux(.awaitLinked(timeout: nil)))
    emit(.jumpIfRefused(to: target(refused)))
    emit(.recordConnected(version))
    emit(.jump(to: target(done)))
  }

  // MARK: channel_mgmt.c

  /// `vmbus_request_offers`: from 6.14 it waits up to 60 s for ALLOFFERS_DELIVERED, whose
  /// completion is never re-armed (one left from earlier ends the wait at once); a failed
  /// post waits for nothing.
  private mutating func requestOffers(wait: Bool) {
    let done = label()
    if wait { emit(.linux(.link(.allOffersDelivered))) }
    emit(
      .post(
        MessageSpec(type: .requestOffers), retry: .linux(isContact: false),
        onFailure: target(done)))
    if wait { emit(.linux(.awaitLinked(timeout: .seconds(60)))) }
    bind(done)
  }

  /// `vmbus_initiate_unload`: at most once per kernel; the result of the post is ignored.
  private mutating func unload(crash: Bool) {
    let done = label()
    emit(.linux(.startUnload(skip: target(done))))
    emit(.linux(.link(.unloadResponse)))
    if crash { emit(.linux(.pollForUnload(true))) }
    emit(.post(MessageSpec(type: .unload), retry: .linux(isContact: false), onFailure: nil))
    emit(.linux(.awaitLinked(timeout: crash ? .seconds(100) : nil)))
    if crash {
      emit(.linux(.pollForUnload(false)))
      emit(.linux(.clearMessageSlots))
    }
    bind(done)
  }

  // MARK: channel.c

  /// `__vmbus_establish_gpadl`: the id first, the header and bodies, then an unbounded wait
  /// for GPADL_CREATED. A failed post or a refusal goes to `failed` with nothing torn down.
  private mutating func establish(_ purpose: GpadlPurpose, pages: UInt32, failed: Label) {
    emit(.linux(.allocateGpadl(purpose, pages: pages)))
    emit(.linux(.link(.gpadlCreated(purpose))))
    for part in 0..<GuestProgram.gpadlMessageCount(pages: max(pages, 1)) {
      emit(.linux(.postGpadl(purpose, part: part, onFailure: target(failed))))
    }
    emit(.linux(.awaitLinked(timeout: nil)))
    // A non-zero creation_status: -EDQUOT.
    emit(.linux(.jumpIfReplyFailed(to: target(failed))))
    emit(.linux(.setCreated(purpose, true)))
  }

  /// `vmbus_teardown_gpadl`: GPADL_TEARDOWN, then an unbounded wait for GPADL_TORNDOWN
  /// unless the post failed.
  private mutating func teardown(_ purpose: GpadlPurpose) {
    let done = label()
    emit(.linux(.setCreated(purpose, false)))
    emit(.linux(.link(.gpadlTorndown(purpose))))
    emit(.linux(.postTeardown(purpose, onFailure: target(done))))
    emit(.linux(.awaitLinked(timeout: nil)))
    bind(done)
  }

  /// `vmbus_open`/`__vmbus_open`: only from CHANNEL_OPEN_STATE (else -EINVAL, nothing sent);
  /// the ring GPADL, then OPENCHANNEL; a failed post or a refused open tears the ring down
  /// (`error_free_gpadl`), a failed GPADL leaves nothing to tear down.
  private mutating func open(
    _ channel: DeviceChannel, pages: UInt32, vp: UInt32?, failed: Label? = nil
  ) {
    let done = label()
    // Where each error path ends: the caller's failure label, else after the open.
    let failure = failed ?? done
    let einval = label()
    let gpadlFailed = label()
    let openFailed = label()
    let ring = GpadlPurpose(channel, .ring)
    emit(.linux(.jumpUnless(.channel(channel, .openState), to: target(einval))))
    emit(.linux(.setChannel(channel, .opening)))
    establish(ring, pages: pages, failed: gpadlFailed)
    emit(.linux(.link(.openResult(channel))))
    emit(.linux(.postOpen(channel, targetVP: vp, onFailure: target(openFailed))))
    emit(.linux(.awaitLinked(timeout: nil)))
    // A non-zero status: -EAGAIN.
    emit(.linux(.jumpIfReplyFailed(to: target(openFailed))))
    emit(.linux(.setChannel(channel, .opened)))
    emit(.jump(to: target(done)))
    bind(openFailed)
    teardown(ring)
    bind(gpadlFailed)
    emit(.linux(.setChannel(channel, .openState)))
    emit(.jump(to: target(failure)))
    bind(einval)
    emit(.linux(.log("vmbus_open of \(channel): not in CHANNEL_OPEN_STATE, -EINVAL")))
    if failed != nil { emit(.jump(to: target(failure))) }
    bind(done)
  }

  /// `vmbus_close`: a sub-channel alone is refused (-EINVAL); a primary closes its
  /// sub-channels first, in offer order, then itself.
  private mutating func close(_ channel: DeviceChannel) {
    guard channel.subchannel == 0 else {
      emit(.linux(.log("vmbus_close of \(channel): a sub-channel, -EINVAL")))
      return
    }
    let count = context.channelCount(of: channel.device)
    for index in UInt16(1)..<max(count, 1) {
      closeInternal(DeviceChannel(channel.device, index))
    }
    closeInternal(channel)
  }

  /// `vmbus_close_internal`: only an OPENED channel sends CLOSECHANNEL (no reply); its ring
  /// is torn down only if that post succeeded.
  private mutating func closeInternal(_ channel: DeviceChannel) {
    let done = label()
    emit(.linux(.jumpUnless(.channel(channel, .opened), to: target(done))))
    emit(.linux(.setChannel(channel, .openState)))
    emit(.linux(.postClose(channel, onFailure: target(done))))
    teardown(GpadlPurpose(channel, .ring))
    bind(done)
  }

  // MARK: drivers

  /// A driver's probe once its device is offered: open the primary with the driver's ring
  /// on `init_vp_index`'s CPU, establish its buffers (netvsc), then open the sub-channels
  /// offered. A failure ends the probe; a buffer's failure undoes what was established.
  /// The driver core holds the device's lock across the probe (`__device_attach`), so a
  /// remove or another bind of the same device waits for it.
  private mutating func probe(_ device: String) {
    let primary = DeviceChannel(device)
    let done = label()
    emit(.linux(.awaitOffer(primary, timeout: nil)))
    // A bind waits for its device in user space: a freezer may stop the task once it is
    // offered.
    emit(.linux(.freezePoint))
    emit(.linux(.lockDevice(device)))
    let driver = context.driver(of: device)
    // A failed open fails the probe; so does one of a device already bound (-EINVAL: the
    // driver core would not have called probe).
    open(primary, pages: driver.ringPages, vp: nil, failed: done)
    let failed = label()
    for buffer in driver.buffers {
      establish(GpadlPurpose(primary, buffer: buffer.buffer), pages: buffer.pages, failed: failed)
    }
    for index in UInt16(1)..<max(context.channelCount(of: device), 1) {
      let channel = DeviceChannel(device, index)
      let next = label()
      emit(.linux(.jumpUnless(.offered(channel), to: target(next))))
      open(channel, pages: driver.ringPages, vp: nil)
      bind(next)
    }
    emit(.jump(to: target(done)))
    // `netvsc_init_buf`'s cleanup tears the buffers down, then `netvsc_device_add` closes
    // the channel, whatever the version.
    bind(failed)
    for buffer in driver.buffers { teardownIfCreated(GpadlPurpose(primary, buffer: buffer.buffer)) }
    close(primary)
    bind(done)
    emit(.linux(.unlockDevice(device)))
  }

  /// An unbind: the driver core takes the device's lock (`device_release_driver`) first.
  private mutating func lockedRemove(_ device: String) {
    emit(.linux(.lockDevice(device)))
    remove(device)
    emit(.linux(.unlockDevice(device)))
  }

  /// A driver's remove: netvsc revokes its buffers in the ring, then (on 4.0 and above)
  /// closes the channel before tearing the receive and send buffers down; below 4.0 the
  /// teardowns come first. Other drivers close.
  private mutating func remove(_ device: String) {
    let primary = DeviceChannel(device)
    let buffers = context.driver(of: device).buffers.map {
      GpadlPurpose(primary, buffer: $0.buffer)
    }
    guard !buffers.isEmpty else { return close(primary) }
    let old = label()
    let done = label()
    emit(.linux(.jumpUnless(.connectedAtLeast(.win10), to: target(old))))
    close(primary)
    for buffer in buffers { teardownIfCreated(buffer) }
    emit(.jump(to: target(done)))
    bind(old)
    for buffer in buffers { teardownIfCreated(buffer) }
    close(primary)
    bind(done)
  }

  private mutating func teardownIfCreated(_ purpose: GpadlPurpose) {
    let skip = label()
    emit(.linux(.jumpUnless(.created(purpose), to: target(skip))))
    teardown(purpose)
    bind(skip)
  }

  // MARK: kernel lifetimes

  /// The next kernel: a fresh one (kexec, kdump) connects walking its whole table, asks
  /// for offers and probes what the previous one had open (its probe actors start over).
  private mutating func newKernel() {
    emit(.linux(.restartKernel(.fresh)))
    bootNewKernel()
  }

  /// A new kernel's boot: connect, offers, and (without probe actors) the probes of what
  /// the previous kernel had open.
  private mutating func bootNewKernel() {
    connect(context.kernel.versionTable, vcpu: 0)
    requestOffers(wait: context.kernel.waitsForAllOffers)
    guard !context.autoProbe else { return }
    for device in context.devices {
      let skip = label()
      emit(.linux(.jumpUnless(.openBeforeRestart(DeviceChannel(device.name)), to: target(skip))))
      probe(device.name)
      bind(skip)
    }
  }

  /// `hibernation_snapshot`: `vmbus_bus_suspend` after the drivers' freeze callbacks, the
  /// image, then `vmbus_bus_resume` and the drivers' resume callbacks (the thaw). Then
  /// `power_down`: in `platform` mode the devices freeze again and the machine enters S4, in
  /// `shutdown` mode it powers off, in `suspend` mode it suspends to RAM (or, if that fails,
  /// goes on as `platform`), in `reboot` mode it restarts and a boot kernel restores the
  /// image; in `test_resume` mode the same kernel restores it at once. The processes stay
  /// frozen until `hibernate` ends.
  private mutating func hibernate(_ mode: HibernationMode) {
    // `hibernate` holds `system_transition_mutex` throughout (`lock_system_sleep`); the image
    // is made under it, with the processes frozen, so a restored image kernel holds the
    // mutex and its frozen processes too, until its `hibernate` ends.
    emit(.linux(.lockSystemTransition(busy: nil)))
    freezeProcesses()
    freeze(rememberingOpenChannels: true)
    // Only a reboot or a test resume brings the image back in this QEMU process: the thaw
    // alone stands for an image that was not written, platform and shutdown end the run, and
    // a suspend that goes through invalidates it (`swsusp_unmark`). Kept for nothing else,
    // it would only tell apart states that are the same.
    if mode == .reboot || mode == .testResume { emit(.linux(.saveHibernationImage)) }
    resume(.resume)
    switch mode {
    case .thaw: break
    case .platform:
      // `hibernation_platform_enter`: PMSG_HIBERNATE runs the poweroff callbacks, which are
      // the freeze ones (`poweroff_noirq`), `vmbus_bus_suspend` unloads, and S4 follows.
      freeze(rememberingOpenChannels: false)
      emit(.linux(.powerOff(.s4)))
      return
    case .shutdown:
      // `kernel_power_off` → `device_shutdown`: nothing is sent (as `linux.reboot`);
      // `acpi_power_off` enters S5.
      deviceShutdown(processesFrozen: true)
      emit(.linux(.powerOff(.s5)))
      return
    case .suspend:
      // `suspend_devices_and_enter`; on an error `power_down` goes on in platform mode
      // (x86 with ACPI has `hibernation_ops`).
      let platform = label()
      let done = label()
      suspendDevicesAndEnter(orElse: platform)
      emit(.jump(to: target(done)))
      bind(platform)
      freeze(rememberingOpenChannels: false)
      emit(.linux(.powerOff(.s4)))
      bind(done)
    case .testResume:
      // No `power_down`: `load_image_and_restore` reads the image back, and
      // `hibernation_restore` quiesces the devices with their freeze callbacks before the
      // image kernel resumes; the processes stay frozen throughout.
      freeze(rememberingOpenChannels: false)
      resume(.restoreImage)
    case .reboot:
      // `power_down` → `kernel_restart`, as `linux.reboot`: `device_shutdown` sends nothing;
      // the machine resets.
      deviceShutdown(processesFrozen: true)
      emit(.environment(.machineReset))
      // The boot kernel boots, then `software_resume` finds the image: it freezes the
      // processes, `hibernation_restore` quiesces the devices with their freeze callbacks,
      // and the image kernel resumes.
      bootNewKernel()
      freezeProcesses()
      freeze(rememberingOpenChannels: false)
      resume(.restoreImage)
    }
    thawProcesses()
    emit(.linux(.unlockSystemTransition))
  }

  /// `device_shutdown` (drivers/base/core.c): wait for the probes under way, block probing,
  /// then each device under its lock, last registered first, so an unbind under way finishes
  /// first (with the processes frozen, none is). No hv driver has a shutdown callback that
  /// sends anything.
  private mutating func deviceShutdown(processesFrozen: Bool = false) {
    emit(.linux(.awaitProbes))
    emit(.linux(.blockProbing(true)))
    guard !processesFrozen else { return }
    for device in context.devices.reversed() {
      emit(.linux(.lockDevice(device.name)))
      emit(.linux(.unlockDevice(device.name)))
    }
  }

  /// `freeze_processes`: the freezer freezes a task only where it can sleep freezably (back in
  /// user space between two steps, or asleep). A task inside a call (waiting uninterruptibly
  /// for a reply, or for a device lock) makes Linux fail the transition, and the user tries
  /// again; the model waits for those tasks instead, which is that later try. A frozen task
  /// starts no step until `thawProcesses`. Probes run in kernel workers, which do not freeze:
  /// `dpm_prepare` waits for them and blocks new ones.
  private mutating func freezeProcesses() {
    emit(.linux(.freezeProcesses))
  }

  /// `thaw_processes`: the other tasks go on.
  private mutating func thawProcesses() {
    emit(.linux(.thawProcesses))
  }

  /// `enter_state` → `suspend_devices_and_enter` with mem_sleep "deep" (kernel/power/suspend.c).
  private mutating func suspendToRAM() {
    // `enter_state` only tries `system_transition_mutex`: -EBUSY while another transition
    // is under way.
    let busy = label()
    let done = label()
    emit(.linux(.lockSystemTransition(busy: target(busy))))
    freezeProcesses()
    suspendDevicesAndEnter()
    thawProcesses()
    emit(.linux(.unlockSystemTransition))
    emit(.jump(to: target(done)))
    bind(busy)
    emit(
      .linux(.log("enter_state: system_transition_mutex is held: -EBUSY, the suspend does nothing"))
    )
    bind(done)
  }

  /// `suspend_devices_and_enter`, the processes frozen: vmbus and the hv drivers have no
  /// suspend callbacks for PMSG_SUSPEND (`suspend_noirq` is NULL, so that a Generation-2 VM
  /// can wake from suspend-to-idle), so nothing is sent. A channel bound to a secondary CPU
  /// aborts the suspend there (and the walk goes on at `fallback`, when given); otherwise the
  /// SynIC goes down (`hv_synic_suspend`) and the machine enters S3.
  private mutating func suspendDevicesAndEnter(orElse fallback: Label? = nil) {
    // `dpm_prepare`: the probes under way, then probing blocked until `dpm_complete`.
    emit(.linux(.awaitProbes))
    emit(.linux(.blockProbing(true)))
    let aborted = label()
    emit(.linux(.offlineSecondaryCPUs(onFailure: target(aborted))))
    // `syscore_suspend` → `hv_synic_suspend`: CPU 0's message page goes (QEMU's main loop
    // may still run before the S3 write), then S3, the wake, and `hv_synic_resume`.
    emit(.environment(.teardownMessagePage))
    emit(.linux(.enterS3))
    let done = label()
    emit(.linux(.blockProbing(false)))
    emit(.jump(to: target(done)))
    bind(aborted)
    emit(.linux(.blockProbing(false)))
    if let fallback { emit(.jump(to: target(fallback))) }
    bind(done)
  }

  /// `vsock_connect` through hv_sock (net/vmw_vsock/hyperv_transport.c). `hvs_init` loads the
  /// transport only from protocol 4.0 (`VERSION_WIN10`); below it the connect fails with
  /// -ENODEV and sends nothing. `hvs_connect` posts TL_CONNECT_REQUEST; `vmbus_post_msg`
  /// retries only a full queue or an unknown connection id, so any other refusal fails the
  /// connect (-EINVAL, "hv_post_msg() failed"). A request the host takes leaves the socket
  /// waiting for the host to offer an hv_sock channel, up to the connect timeout (2 s,
  /// `VSOCK_DEFAULT_CONNECT_TIMEOUT`); no modelled host offers one.
  private mutating func hvsockConnect(port: UInt32) {
    let noTransport = label()
    let refused = label()
    let done = label()
    emit(.linux(.jumpUnless(.connectedAtLeast(.win10), to: target(noTransport))))
    emit(.linux(.postTLConnect(remotePort: port, onFailure: target(refused))))
    emit(.sleep(.seconds(2)))
    emit(.linux(.log("vsock_connect: no hv_sock channel offered within 2 s: -ETIMEDOUT")))
    emit(.jump(to: target(done)))
    bind(refused)
    emit(.linux(.log("hvs_connect: hv_post_msg() failed: connect() returns -EINVAL")))
    emit(.jump(to: target(done)))
    bind(noTransport)
    emit(
      .linux(.log("vsock_connect: hv_sock is not loaded below protocol 4.0: -ENODEV, nothing sent"))
    )
    bind(done)
  }

  /// `dpm_prepare` and the freeze callbacks: probing waits for the probes under way and is
  /// blocked (an offer that arrives from here on is probed at `dpm_complete`), the drivers
  /// close, and `vmbus_bus_suspend` unloads. The image kernel notes what it closes, for its
  /// resume to reopen; a boot kernel's quiesce need not (the image's list comes back).
  /// The devices freeze last registered first (`dpm_suspend_noirq` walks its list from the
  /// tail), and Linux registers them in offer order, which is QEMU's realize order: the
  /// scenario's, reversed. They resume in scenario order. The caller has frozen the
  /// processes (`freezeProcesses`), and the noirq callbacks take no device lock.
  private mutating func freeze(rememberingOpenChannels: Bool) {
    emit(.linux(.awaitProbes))
    emit(.linux(.blockProbing(true)))
    if rememberingOpenChannels { emit(.linux(.rememberOpenChannels)) }
    for device in context.devices.reversed() { remove(device.name) }
    if context.devices.contains(where: { $0.channels > 1 }) {
      emit(.linux(.awaitSubchannelRescinds))
    }
    unload(crash: false)
  }

  /// `vmbus_bus_resume` and the drivers' resume callbacks for what was open at the freeze,
  /// with the processes still frozen; then `dpm_complete` unblocks probing.
  private mutating func resume(_ restart: GuestKernel.Restart) {
    emit(.linux(.restartKernel(restart)))
    // Resume negotiates the saved version only.
    let resumed = label()
    for version in context.kernel.versionTable {
      let next = label()
      emit(.linux(.jumpUnless(.savedVersion(version), to: target(next))))
      negotiate(version, vcpu: 0, refused: next, done: resumed)
      bind(next)
    }
    emit(.fail("resume: the host refused the version the image was saved with"))
    bind(resumed)
    requestOffers(wait: context.kernel.waitsForAllOffers)
    if context.kernel.waitsForResumeOffers {
      emit(.linux(.awaitResumeOffers(timeout: .seconds(10))))
    }
    for device in context.devices {
      let skip = label()
      let primary = DeviceChannel(device.name)
      emit(.linux(.jumpUnless(.openBeforeRestart(primary), to: target(skip))))
      probe(device.name)
      bind(skip)
    }
    emit(.linux(.blockProbing(false)))
  }
}

extension GuestOp {
  /// The op with jump target `placeholder` replaced by `address`.
  func retargeted(from placeholder: Int, to address: Int) -> GuestOp {
    relocated { $0 == placeholder ? address : $0 }
  }
}
