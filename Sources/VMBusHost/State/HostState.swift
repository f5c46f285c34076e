import VMBusWire

/// The host side of the bus as QEMU holds it (docs/qemu-reference.md §4.2), plus what the
/// reducer needs to fold a bare trace. Every value here is a fold of a session's events.
public struct HostState: Hashable, Sendable, Codable {
  /// Which host behaviour is modelled.
  public internal(set) var profile: HostProfile = .qemu
  /// The machine's vCPUs; nil for a bare QEMU trace, which does not say.
  public internal(set) var machine: MachineConfig?
  /// `state`: what the next bus run does.
  public internal(set) var bus: BusState = .listen
  /// `msg_in_progress`: a host message was posted and its delivery callback is pending.
  public internal(set) var messageInFlight = false
  /// `vmbus_run` one-shot bottom halves scheduled and not yet run. QEMU's `vmbus_resched`
  /// schedules a new one each time (`aio_bh_schedule_oneshot`): on every enqueue into an empty
  /// queue (message in flight or not), after every dequeue, and after a delivery callback
  /// other than a fatal one. Each run consumes one; a run with a message in flight, or with
  /// nothing queued in LISTEN, does nothing else (`sim_bus_run_idle`).
  public internal(set) var pendingRuns = 0
  /// The bus's event notifier was set by HvSignalEvent on connection 2 and the main loop has
  /// not yet run its handler (`vmbus_signal_event`), which traces once however many signals
  /// came before it (`event_notifier_test_and_clear`).
  public internal(set) var busNotifierSet = false
  /// `version`: the requested version, stored even when unsupported; 0 = none.
  public internal(set) var version = ProtocolVersion(rawValue: 0)
  /// `target_vp`: the vCPU that receives control messages; 0xFFFFFFFF = none.
  public internal(set) var targetVP = HostState.noVP
  /// `int_page_gpa`: only adopted below WIN8; 0 = none.
  public internal(set) var interruptPage: UInt64 = 0
  /// `rx_queue`.
  public internal(set) var rxQueue = RxQueue()
  /// Devices in realize order.
  public internal(set) var devices: [Device] = []
  /// `channel_list`: realize order, primary before sub-channels.
  public internal(set) var channels: [Channel] = [] { didSet { objectWrites.value &+= 1 } }
  /// `gpadl_list`: newest first, as QEMU inserts at the head.
  public internal(set) var gpadls: [Gpadl] = [] { didSet { objectWrites.value &+= 1 } }
  /// Set when the host crashed or aborted; it then takes no more input.
  public internal(set) var fault: HostFault?
  /// The trace event folded last set ``fault``: it is where QEMU crashed, and a simulation's
  /// `sim_host_fault` for the same fault, which the simulator records right after it, is
  /// accepted once without a violation.
  public internal(set) var faultJustTraced = false
  /// Whether the session shows if `sint_route` exists, so that ``hasRoute`` is QEMU's and a
  /// post without a route is a fault the fold can claim (docs/qemu-reference.md §9.12, §9.42).
  ///
  /// Only a traced INITIATE_CONTACT creates the route, and every `vmbus_deinit` drops it. So
  /// it is known from the machine's start (a simulation records it), and from every
  /// `vmbus_deinit` the session shows: a traced `vmbus_initiate_contact`, a fatal
  /// `vmbus_msg_cb`, a completed UNLOAD, an inferred route set-up failure, a machine reset.
  /// It is not known at the start of a bare trace, which may begin after a contact, nor after
  /// a gap in the trace (`sim_traced_events_dropped`), which may hide one.
  public internal(set) var routeKnown = false

  /// The message the last `vmbus_process_incoming_message` took, which the type-specific
  /// trace point right after it refers to.
  public internal(set) var handling: QueuedMessage?
  /// The host message that an output trace point announced and `vmbus_post_msg` must post.
  public internal(set) var announcedPost: MessageType?
  /// A bare-trace inference waiting for the next main-loop event to confirm it.
  public internal(set) var awaiting: TraceInference?
  /// The failure reply the hardened host owes for the request just handled; never set under
  /// `.qemu`, which answers those requests with nothing.
  public internal(set) var failureReply: FailureReply?

  /// How often ``channels`` or ``gpadls`` was written: not QEMU's state but a fold's
  /// bookkeeping, so that a monitor knows an event left the objects alone without holding
  /// the old lists (which would make every write copy them). Not encoded, not compared.
  var objectWrites = Uncompared<UInt64>(0)

  /// Every stored property but ``objectWrites``.
  private enum CodingKeys: String, CodingKey {
    case profile, machine, bus, messageInFlight, pendingRuns, busNotifierSet, version, targetVP
    case interruptPage, rxQueue, devices, channels, gpadls, fault, faultJustTraced, routeKnown
    case handling, announcedPost, awaiting, failureReply
  }

  /// QEMU's "no VP" value for `target_vp`.
  public static let noVP: UInt32 = 0xFFFF_FFFF

  public init() {}

  /// A simulated host: profile and machine known, no devices yet, and known to have no SINT
  /// route (QEMU creates one only on INITIATE_CONTACT).
  public init(profile: HostProfile, machine: MachineConfig) {
    self.profile = profile
    self.machine = machine
    self.routeKnown = true
  }

  /// At least one bus run is scheduled.
  public var runScheduled: Bool { pendingRuns > 0 }

  /// QEMU's `vmbus_initialized`: a supported version was negotiated.
  public var isInitialized: Bool { version.isSupportedByQEMU }

  /// Whether `sint_route` exists. QEMU creates it with every INITIATE_CONTACT whose target
  /// is not 0xFFFFFFFF and drops it (setting the target to 0xFFFFFFFF) on every reset.
  public var hasRoute: Bool { targetVP != Self.noVP }

  /// The host is still taking input.
  public var isAlive: Bool { fault == nil }

  /// Whether the bus state's send and complete functions find what they answer: a failure
  /// reply owed, else the first full GPADL in INIT, the first GPADL in TEARINGDOWN or the
  /// first channel in OPENING. States without such an object always do.
  var busStateHasObject: Bool {
    if failureReply != nil { return true }
    return switch bus {
    case .createGpadl: gpadls.contains { $0.isFull && $0.state == .initial }
    case .teardownGpadl: gpadls.contains { $0.state == .tearingDown }
    case .openChannel: channels.contains { if case .opening = $0.state { true } else { false } }
    case .listen, .handshake, .offer, .unload: true
    }
  }

  /// The hardened profile is modelled (docs/hardened.md).
  public var isHardened: Bool { profile == .hardened }

  /// Whether a SINT route to `vp` can be created: not the "no VP" value, and a vCPU with a
  /// SynIC (a bare trace's unknown machine is assumed to have it).
  func canRoute(to vp: UInt32) -> Bool {
    vp != Self.noVP && (machine?.route(to: vp) ?? .created) == .created
  }

  /// Where the hardened host sends a reply when the guest named no VP it can reach: the
  /// lowest VP with a SynIC (VP 0 when the machine is unknown); nil when no VP has one.
  var fallbackVP: UInt32? {
    guard let machine else { return 0 }
    return machine.firstVPWithSynIC
  }

  /// Index of the channel with this relid in list order.
  public func channelIndex(_ id: ChannelID) -> Int? {
    channels.firstIndex { $0.id == id }
  }

  /// The channel with this relid.
  public func channel(_ id: ChannelID) -> Channel? {
    channelIndex(id).map { channels[$0] }
  }

  /// Index of the GPADL with this id (QEMU's `find_gpadl`: any state).
  public func gpadlIndex(_ id: GpadlID) -> Int? {
    gpadls.firstIndex { $0.id == id }
  }

  /// The GPADL with this id, in any state.
  public func gpadl(_ id: GpadlID) -> Gpadl? {
    gpadlIndex(id).map { gpadls[$0] }
  }

  /// The device that owns a channel.
  public func device(owning channel: Channel) -> Device? {
    devices.first { $0.pointer == channel.device }
  }
}

/// What a bare trace has not yet shown, waiting for the next main-loop trace point: in QEMU
/// the reply a command causes is always the next host output (docs/qemu-reference.md §8.4).
public enum TraceInference: Hashable, Sendable, Codable {
  /// INITIATE_CONTACT was traced; VERSION_RESPONSE follows unless the SINT route set-up
  /// failed, in which case QEMU went back to LISTEN silently.
  case versionResponse
  /// A header or body for this GPADL was traced; `vmbus_gpadl_created` follows only if it
  /// made the GPADL full.
  case gpadlCompletion(GpadlID)
  /// A teardown of an assumed GPADL was traced; `vmbus_gpadl_torndown` follows only if the
  /// GPADL really existed.
  case teardownReply(GpadlID)
  /// An OPENCHANNEL was traced; `vmbus_channel_open` follows only if the channel existed in
  /// INIT. `learned` says the channel was unknown until this request named it.
  case openReply(ChannelID, learned: Bool)
}
