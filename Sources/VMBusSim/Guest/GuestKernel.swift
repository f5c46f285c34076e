import VMBusHost
import VMBusWire

/// What the guest kernel knows, shared by its actors: the offers it received, Linux's
/// global GPADL id counter and the GPADLs it established, each channel's state, and the
/// connection (`vmbus_connection` and the `vmbus_channel`s of `drivers/hv`).
struct GuestKernel: Hashable, Sendable {
  /// A channel's `state` as `channel.c` keeps it. A channel the kernel has no entry for is
  /// in CHANNEL_OPEN_STATE ("offered, ready to be opened").
  enum ChannelState: UInt8, Hashable, Sendable {
    case openState = 0
    case opening = 1
    case opened = 2
  }

  /// A GPADL the guest allocated: what it is for, its id, and whether the host created it.
  struct Gpadl: Hashable, Sendable {
    var purpose: GpadlPurpose
    var id: UInt32
    var pages: UInt32
    var created: Bool
  }

  /// How a kernel gives way to the next (docs/linux-guest-model.md, "Kernel lifetimes").
  enum Restart: Hashable, Sendable {
    /// kexec, kdump or a machine reset: a new kernel with nothing of the old one's state.
    case fresh
    /// Hibernation resume: the image's state comes back; the host's offers do not.
    case resume
    /// The hibernation image (``saveImage()``) replaces the kernel, a boot kernel's (reboot
    /// mode) or the one that wrote it (test_resume mode), and resumes as in `resume`.
    case restoreImage
  }

  /// Devices by scenario name: class and instance, to find their offers. A scenario has a
  /// handful, so a list searched by name beats hashing the name on every lookup.
  private var devices: [DeviceSpec] = []
  /// CPUs the guest runs, for `init_vp_index`.
  let vcpus: UInt32
  /// OFFERCHANNEL messages received, in arrival order.
  private(set) var offers: [OfferChannel] = []
  /// `vmbus_connection.next_gpadl_handle`: starts at 0xE1E10, never reused within a boot.
  private(set) var nextGpadl: UInt32 = 0xE1E10
  /// The GPADLs allocated, the latest per purpose, in allocation order.
  private(set) var gpadls: [Gpadl] = []
  /// Channels not in CHANNEL_OPEN_STATE.
  private var channelStates: [DeviceChannel: ChannelState] = [:]
  /// `channel->target_cpu`, chosen by `init_vp_index` when the offer was processed.
  private var targetCPUs: [DeviceChannel: UInt32] = [:]
  /// The performance channels placed so far: `init_vp_index` takes CPUs round robin.
  private var performanceChannels: UInt32 = 0
  /// The version the host accepted, once connected.
  var connectedVersion: ProtocolVersion?
  /// `vmbus_proto_version` as a hibernation image keeps it: what resume negotiates.
  private(set) var savedVersion: ProtocolVersion?
  /// `vmbus_initiate_unload` ran (`conn_state` was exchanged for DISCONNECTED).
  private(set) var unloadStarted = false
  /// `all_offers_delivered_event` was completed with nobody waiting (6.14 on): the next
  /// wait ends at once.
  var allOffersDelivered = false {
    didSet { cachedKey.value = nil }
  }
  /// `vmbus_wait_for_unload` polls the slots: every message but UNLOAD_RESPONSE is EOMed
  /// unhandled.
  var pollingForUnload = false {
    didSet { cachedKey.value = nil }
  }
  /// `device_block_probing` ran (suspend's `dpm_prepare`, shutdown's `device_shutdown`): a
  /// device offered now is probed only once probing is unblocked.
  var probingBlocked = false {
    didSet { cachedKey.value = nil }
  }
  /// Devices whose lock a probe or remove holds (`device_lock`).
  private(set) var lockedDevices: Set<String> = []
  /// The actor whose suspend or hibernation freezes the processes (`pm_freezing`), from
  /// `freeze_processes` until it thaws them: every other task stops before its next step,
  /// and the freezer waits until none is inside one.
  var processesFrozenBy: Int? {
    didSet { cachedKey.value = nil }
  }
  /// `system_transition_mutex` is held: a suspend, a hibernation, or the reboot syscall's
  /// kexec or restart is under way, and the others wait (or, a suspend, fail with -EBUSY).
  private(set) var systemTransitionHeld = false
  /// Channels open when the kernel last gave way: what its successor probes or resumes.
  private(set) var openBeforeRestart: [DeviceChannel] = []
  /// The hibernation image on disk: the kernel as it was once its devices were frozen,
  /// which a boot kernel restores. At most one; kept across restarts until restored (a list,
  /// for a value of the type's own kind).
  private var image: [GuestKernel] = []
  /// The exploration key of everything above, or nil once something changed: computed when
  /// the explorer asks (it hashes every state it reaches), never in a fuzz run.
  private var cachedKey = Uncompared<UInt64?>(nil)

  init(devices: [DeviceSpec], vcpus: UInt32 = 1) {
    self.vcpus = max(vcpus, 1)
    // The first device of a name wins, as in the scenario's own checks.
    for device in devices where self.device(named: device.name) == nil {
      self.devices.append(device)
    }
  }

  /// The configuration of the device with this scenario name.
  func device(named name: String) -> DeviceConfig? {
    devices.first { $0.name == name }?.config
  }

  /// Adds a device, or replaces the configuration of one with the same name.
  mutating func add(_ device: DeviceSpec) {
    if let index = devices.firstIndex(where: { $0.name == device.name }) {
      devices[index].config = device.config
    } else {
      devices.append(device)
    }
  }

  // MARK: Channels

  /// The offer the host made for a device channel, the latest if it offered it twice.
  func offer(for channel: DeviceChannel) -> OfferChannel? {
    offerIndex(for: channel).map { offers[$0] }
  }

  /// Whether the host offered `channel`. (Asked without copying the offer out: an optional
  /// offer was destroyed through the runtime's generic value witnesses, several times a step.)
  func isOffered(_ channel: DeviceChannel) -> Bool {
    offerIndex(for: channel) != nil
  }

  /// The lowest secondary CPU that a channel the kernel was offered (open or not) is bound
  /// to, while the kernel is connected: `hv_synic_cleanup` refuses to take it offline
  /// (-EBUSY). 6.15 and later move an open channel with MODIFYCHANNEL instead, but only
  /// from version 5.3, which QEMU does not offer.
  var secondaryCPUHoldingAChannel: UInt32? {
    guard connectedVersion != nil, !unloadStarted else { return nil }
    return targetCPUs.filter { $0.value != 0 && isOffered($0.key) }.values.min()
  }

  private func offerIndex(for channel: DeviceChannel) -> Int? {
    guard let index = devices.firstIndex(where: { $0.name == channel.device }) else { return nil }
    let instance = devices[index].config.instanceID
    return offers.lastIndex {
      $0.interfaceInstance == instance && $0.subChannelIndex == channel.subchannel
    }
  }

  func state(of channel: DeviceChannel) -> ChannelState {
    channelStates[channel] ?? .openState
  }

  mutating func setState(_ state: ChannelState, of channel: DeviceChannel) {
    channelStates[channel] = state == .openState ? nil : state
    cachedKey.value = nil
  }

  /// The VP `vmbus_open` asks for: the CPU `init_vp_index` gave the channel (CPU n is VP n).
  func targetVP(of channel: DeviceChannel) -> UInt32 {
    targetCPUs[channel] ?? 0
  }

  /// The driver Linux binds to a device, or the generic one.
  func driver(of device: String) -> LinuxDriver {
    self.device(named: device).flatMap { LinuxDriver.forClass($0.classID) } ?? .generic
  }

  /// Records what a host message teaches the guest: an offer (`vmbus_onoffer`), which
  /// `init_vp_index` places on a CPU.
  mutating func receive(_ message: ChannelMessage) {
    guard case .offerChannel(let offer) = message else { return }
    offers.removeAll { $0.childRelid == offer.childRelid }
    offers.append(offer)
    if let device = devices.first(where: { $0.config.instanceID == offer.interfaceInstance }) {
      let channel = DeviceChannel(device.name, offer.subChannelIndex)
      // A re-offer after resume keeps the channel, and its CPU (the resume fix-up).
      if targetCPUs[channel] == nil {
        let performance = LinuxDriver.forClass(offer.interfaceType)?.isPerformanceDevice ?? false
        if performance {
          targetCPUs[channel] = performanceChannels % vcpus
          performanceChannels &+= 1
        } else {
          targetCPUs[channel] = 0
        }
      }
    }
    cachedKey.value = nil
  }

  // MARK: GPADLs

  /// The latest GPADL allocated for a purpose.
  func gpadl(for purpose: GpadlPurpose) -> Gpadl? {
    gpadls.last { $0.purpose == purpose }
  }

  /// The ring GPADL id allocated for a device channel.
  func ringGpadl(for channel: DeviceChannel) -> UInt32? {
    gpadl(for: GpadlPurpose(channel, .ring))?.id
  }

  /// `vmbus_establish_gpadl` takes the next id first, whatever happens next.
  mutating func allocateGpadl(for purpose: GpadlPurpose, pages: UInt32) {
    gpadls.removeAll { $0.purpose == purpose }
    gpadls.append(Gpadl(purpose: purpose, id: nextGpadl, pages: pages, created: false))
    nextGpadl &+= 1
    cachedKey.value = nil
  }

  /// Notes that the host created (or tore down) the GPADL for a purpose.
  mutating func setCreated(_ created: Bool, for purpose: GpadlPurpose) {
    guard let index = gpadls.lastIndex(where: { $0.purpose == purpose }) else { return }
    gpadls[index].created = created
    cachedKey.value = nil
  }

  // MARK: Connection

  /// `vmbus_initiate_unload`'s `xchg(conn_state, DISCONNECTED)`: whether this call is the
  /// first of the kernel's.
  mutating func startUnload() -> Bool {
    defer { cachedKey.value = nil }
    if unloadStarted { return false }
    unloadStarted = true
    return true
  }

  /// Takes a device's lock; false when another probe or remove holds it.
  mutating func lock(device: String) -> Bool {
    defer { cachedKey.value = nil }
    return lockedDevices.insert(device).inserted
  }

  mutating func unlock(device: String) {
    lockedDevices.remove(device)
    cachedKey.value = nil
  }

  /// A kexec under way holds the kexec lock (`kexec_trylock` in `kernel_kexec`): a crash
  /// meanwhile cannot start the crash kernel.
  var kexecLocked = false {
    didSet { cachedKey.value = nil }
  }

  /// Takes `system_transition_mutex`; false when another transition holds it.
  mutating func lockSystemTransition() -> Bool {
    guard !systemTransitionHeld else { return false }
    systemTransitionHeld = true
    cachedKey.value = nil
    return true
  }

  mutating func unlockSystemTransition() {
    systemTransitionHeld = false
    cachedKey.value = nil
  }

  /// The kernel gives way to the next: see ``Restart``.
  mutating func restart(_ kind: Restart) {
    switch kind {
    case .fresh:
      let open = openChannels
      let image = image
      self = GuestKernel(devices: devices, vcpus: vcpus)
      openBeforeRestart = open
      self.image = image
    case .restoreImage:
      // A boot kernel without an image (a step compiled elsewhere) resumes itself.
      if let restored = image.first {
        let devices = devices
        self = restored
        // Devices added since the image are still the machine's.
        for device in devices { add(device) }
      }
      image = []
      restart(.resume)
    case .resume:
      // The freeze callbacks closed the channels; what they closed was remembered.
      savedVersion = connectedVersion
      connectedVersion = nil
      unloadStarted = false
      pollingForUnload = false
      channelStates = [:]
      // `vmbus_bus_suspend` invalidated every relid; the host offers afresh.
      offers = []
    }
    cachedKey.value = nil
  }

  /// The kernel that boots after a machine reset: nothing of this one's state but what its
  /// drivers probe again (the channels open now) and what is on disk (the hibernation image).
  func afterMachineReset(devices: [DeviceSpec], vcpus: UInt32) -> GuestKernel {
    var next = GuestKernel(devices: devices, vcpus: vcpus)
    next.openBeforeRestart = openChannels
    next.image = image
    return next
  }

  /// Writes the hibernation image: this kernel as it is now, for a later boot kernel to
  /// restore (`.restoreImage`).
  mutating func saveImage() {
    var snapshot = self
    snapshot.image = []
    image = [snapshot]
    cachedKey.value = nil
  }

  /// The channels in CHANNEL_OPENED_STATE, in device-channel order.
  var openChannels: [DeviceChannel] {
    channelStates.filter { $0.value == .opened }.map(\.key).sorted()
  }

  /// Notes the channels open now (or `channels`), for the next kernel (hibernation closes
  /// them first; a machine reset replaces the kernel and hands them on).
  mutating func rememberOpenChannels(_ channels: [DeviceChannel]? = nil) {
    openBeforeRestart = channels ?? openChannels
    cachedKey.value = nil
  }

  /// Whether a channel was open when the previous kernel gave way.
  func wasOpenBeforeRestart(_ channel: DeviceChannel) -> Bool {
    openBeforeRestart.contains(channel)
  }

  /// What the guest kernel learned, as one word of a state's exploration key.
  mutating func explorationKey() -> UInt64 {
    if let key = cachedKey.value { return key }
    let key = computeKey()
    cachedKey.value = key
    return key
  }

  /// Everything above, hashed.
  private func computeKey() -> UInt64 {
    var hasher = WordHasher()
    for offer in offers {
      ChannelMessage.offerChannel(offer).addExplorationKey(into: &hasher)
    }
    for gpadl in gpadls {
      gpadl.purpose.addExplorationKey(into: &hasher)
      hasher.add(UInt64(gpadl.id) | UInt64(gpadl.pages) << 32)
      hasher.add(gpadl.created ? 1 : 0)
    }
    // Each entry hashed alone and the hashes summed: a dictionary's order varies from run
    // to run, and sorting its keys allocated on every key.
    var channelSum: UInt64 = 0
    for (channel, state) in channelStates {
      var entry = WordHasher()
      channel.addExplorationKey(into: &entry)
      entry.add(UInt64(state.rawValue))
      channelSum = channelSum &+ entry.value
    }
    var cpuSum: UInt64 = 0
    for (channel, cpu) in targetCPUs {
      var entry = WordHasher()
      channel.addExplorationKey(into: &entry)
      entry.add(cpu)
      cpuSum = cpuSum &+ entry.value
    }
    var lockSum: UInt64 = 0
    for device in lockedDevices {
      var entry = WordHasher()
      entry.add(utf8: device)
      lockSum = lockSum &+ entry.value
    }
    hasher.add(channelSum)
    hasher.add(UInt64(channelStates.count) | UInt64(targetCPUs.count) << 32)
    hasher.add(cpuSum)
    hasher.add(lockSum)
    hasher.add(lockedDevices.count)
    for channel in openBeforeRestart { channel.addExplorationKey(into: &hasher) }
    let flags: UInt64 =
      (unloadStarted ? 1 : 0) | (pollingForUnload ? 2 : 0) | (allOffersDelivered ? 4 : 0)
      | (probingBlocked ? 8 : 0) | (systemTransitionHeld ? 16 : 0) | (kexecLocked ? 32 : 0)
    hasher.add(
      UInt64(savedVersion?.rawValue ?? .max) | flags << 32
        | UInt64(performanceChannels & 0xFFFF) << 40)
    hasher.add(processesFrozenBy.map { UInt64($0) } ?? .max)
    // The image on disk comes back whole at a restore, its connection and GPADL counter too.
    if var saved = image.first {
      hasher.add(saved.explorationKey())
      hasher.add(
        UInt64(saved.nextGpadl) | UInt64(saved.connectedVersion?.rawValue ?? .max) << 32)
    }
    return hasher.value
  }

  /// The value of an operand, or why it has none yet.
  func resolve(_ operand: Operand) -> Result<UInt64, GuestError> {
    switch operand {
    case .number(let value):
      return .success(value)
    case .relid(let device, let subchannel):
      guard self.device(named: device) != nil else { return .failure(.unknownDevice(device)) }
      guard let offer = offer(for: DeviceChannel(device, subchannel)) else {
        return .failure(.notOffered(device: device, subchannel: subchannel))
      }
      return .success(UInt64(offer.childRelid.rawValue))
    case .ringGpadl(let device, let subchannel):
      let channel = DeviceChannel(device, subchannel)
      guard let id = ringGpadl(for: channel) else { return .failure(.noRingGpadl(channel)) }
      return .success(UInt64(id))
    }
  }
}

/// What a GPADL the guest establishes is for: a channel's ring, or one of its driver's
/// buffers.
struct GpadlPurpose: Hashable, Sendable, CustomStringConvertible {
  enum Use: UInt8, Hashable, Sendable {
    case ring = 0
    case receiveBuffer = 1
    case sendBuffer = 2
  }

  var channel: DeviceChannel
  var use: Use

  init(_ channel: DeviceChannel, _ use: Use) {
    self.channel = channel
    self.use = use
  }

  init(_ channel: DeviceChannel, buffer: LinuxDriver.Buffer) {
    self.init(channel, buffer == .receive ? .receiveBuffer : .sendBuffer)
  }

  var description: String {
    switch use {
    case .ring: "the ring of \(channel)"
    case .receiveBuffer: "the receive buffer of \(channel)"
    case .sendBuffer: "the send buffer of \(channel)"
    }
  }

  func addExplorationKey(into hasher: inout WordHasher) {
    channel.addExplorationKey(into: &hasher)
    hasher.add(UInt64(use.rawValue))
  }
}

extension DeviceChannel {
  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(utf8: device)
    hasher.add(UInt64(subchannel))
  }
}

/// Why a guest step could not be carried out.
enum GuestError: Error, Hashable, Sendable, CustomStringConvertible {
  case unknownDevice(String)
  case notOffered(device: String, subchannel: UInt16)
  case noRingGpadl(DeviceChannel)
  case valueTooLarge(MessageField, UInt64)

  var description: String {
    switch self {
    case .unknownDevice(let name): "no device named '\(name)'"
    case .notOffered(let device, let subchannel):
      "the host never offered \(device)\(subchannel == 0 ? "" : " sub-channel \(subchannel)")"
    case .noRingGpadl(let key): "\(key) has no ring GPADL (not opened by this guest)"
    case .valueTooLarge(let field, let value): "\(field.rawValue) = \(value) does not fit the field"
    }
  }
}
