import VMBusWire

/// What the source QEMU writes into the migration stream for the bus: the `vmbus-bridge`
/// section's `vmstate_vmbus` (hw/hyperv/vmbus.c), nothing else.
///
/// Upstream QEMU migrates no channel state: `vmstate_vmbus_dev` has no user, since no
/// in-tree VMBus device embeds it (docs/qemu-migration.md §0). Not saved either: the message
/// in flight (`msg_in_progress`), the GPADL reference counts, the SINT route and every
/// bottom half, which are process-local.
public struct MigrationImage: Hashable, Sendable {
  /// `state`.
  public var bus: BusState
  /// `version`, as the guest requested it.
  public var version: ProtocolVersion
  /// `target_vp`.
  public var targetVP: UInt32
  /// `int_page_gpa`.
  public var interruptPage: UInt64
  /// `gpadl_list` in list order (newest first), each as `vmstate_gpadl` has it: id,
  /// child_relid, num_gfns, seen_gfns, gfns and state. Their `refcount` is not saved.
  public var gpadls: [Gpadl]
  /// The `vmbus/rx_queue` subsection, sent only when the queue is not empty
  /// (`vmbus_rx_queue_needed`).
  public var rxQueue: RxQueue?

  /// The image `vmstate_vmbus` saves from `state`.
  public init(saving state: HostState) {
    bus = state.bus
    version = state.version
    targetVP = state.targetVP
    interruptPage = state.interruptPage
    gpadls = state.gpadls
    rxQueue = state.rxQueue.isEmpty ? nil : state.rxQueue
  }

  /// A stable digest of the image: FNV-1a over its fields in `vmstate_vmbus`'s order, a
  /// GPADL's unsaved reference count left out (docs/host-model.md, "Migration").
  public var digest: StableDigest {
    var digest = StableDigest()
    digest.mix(bus.rawValue)
    digest.mix(version.rawValue)
    digest.mix(targetVP)
    digest.mix(interruptPage)
    digest.mix(UInt32(truncatingIfNeeded: gpadls.count))
    for gpadl in gpadls {
      digest.mix(gpadl.id.rawValue)
      digest.mix(optional: gpadl.childRelid?.rawValue)
      digest.mix(gpadl.numGfns)
      digest.mix(optional: gpadl.seenGfns)
      digest.mix(gpadl.state.rawValue)
      // Guest memory, which migrates with the guest: the ring headers the guest scribbled.
      digest.mix(UInt8(gpadl.ringIndicesCorrupted ? 1 : 0))
    }
    digest.mix(UInt8(rxQueue == nil ? 0 : 1))
    if let rxQueue {
      digest.mix(rxQueue.head)
      digest.mix(UInt8(truncatingIfNeeded: rxQueue.count))
      for message in rxQueue.messages {
        digest.mix(message.type.rawValue)
        digest.mix(message.size)
        digest.mix(UInt8(message.payload == nil ? 0 : 1))
        if let payload = message.payload {
          digest.mix(UInt32(truncatingIfNeeded: payload.count))
          for byte in payload { digest.mix(byte) }
        }
      }
    }
    return digest
  }
}

extension StableDigest {
  /// A presence byte, then the value when there is one.
  mutating func mix(optional value: UInt32?) {
    mix(UInt8(value == nil ? 0 : 1))
    if let value { mix(value) }
  }
}

extension HostState {
  /// The digest of what this host saves when migrated: QEMU's ``MigrationImage``; the
  /// hardened host saves its whole state, in-flight delivery included (docs/hardened.md).
  public var migrationDigest: StableDigest {
    isHardened ? digest : MigrationImage(saving: self).digest
  }

  /// The destination after `vmbus_post_load`, from the source's state (the fold of
  /// `sim_migrated`). The hardened host restores exactly what it saved.
  ///
  /// QEMU's destination realized the same devices in the same order, so they and their
  /// relids are the source's; its start-up reset (`qemu_system_reset` in
  /// `qdev_machine_creation_done`) left every channel INIT and its offer INIT, and no
  /// device section loads them back. Then `vmstate_vmbus` loads the image and
  /// `vmbus_post_load` re-creates the route (a failure is the fault decided with the
  /// event), sets every GPADL's reference count to 1 whatever its state, finds no channel
  /// to re-open, and schedules one `vmbus_run`. A message in flight on the source is
  /// forgotten: that run sends the saved state's message again. An empty rx queue is not
  /// sent, so the destination's head is its own, 0.
  mutating func loadMigration() {
    guard !isHardened else { return }
    let image = MigrationImage(saving: self)
    for index in channels.indices {
      channels[index].state = .initial
      channels[index].offer = .initial
    }
    bus = image.bus
    version = image.version
    targetVP = image.targetVP
    interruptPage = image.interruptPage
    gpadls = image.gpadls
    for index in gpadls.indices { gpadls[index].refcount = 1 }
    rxQueue = image.rxQueue ?? RxQueue()
    messageInFlight = false
    pendingRuns = 1
    // The bus's event notifier and the handler the main loop had not yet run are the
    // source process's.
    busNotifierSet = false
    handling = nil
    announcedPost = nil
    awaiting = nil
    failureReply = nil
  }
}
