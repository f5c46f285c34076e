import VMBusHost

/// QEMU's main-loop bottom halves that drive the bus, in the order they were scheduled.
///
/// QEMU runs bottom halves in slices (`aio_bh_poll` in `util/async.c`): a slice takes every
/// bottom half scheduled so far and runs them newest first (`aio_bh_enqueue` pushes onto the
/// head of a list that `aio_bh_poll` moves aside and pops), while the ones they schedule
/// wait for the next slice. A slice holds the big QEMU lock, so no hypercall and no vCPU work
/// comes in between. The scheduler picks when a slice starts; every order QEMU can produce
/// is one of those choices.
struct MainLoop: Hashable, Sendable {
  /// One scheduled one-shot bottom half.
  enum BottomHalf: Hashable, Sendable {
    /// `vmbus_run`, scheduled by `vmbus_resched`.
    case busRun
    /// `sint_msg_bh`: the delivery of the staged message finished with this status and
    /// `vmbus_msg_cb` is due. Scheduled by `cpu_post_msg` (delivered, or no message page),
    /// or by `sint_ack_handler` after the guest's EOM freed a busy slot (-EAGAIN).
    case deliveryCompletion(Int32)
  }

  /// Scheduled and not yet started, oldest first.
  private(set) var pending: [BottomHalf] = []
  /// `vmbus_run` bottom halves scheduled and not yet run, the current slice's included: the
  /// host state's `pendingRuns` as the main loop has heard of it.
  private(set) var runsKnown = 0

  var isEmpty: Bool { pending.isEmpty }

  /// Schedules the bus runs the host asked for since the last look: the host counts what
  /// `vmbus_resched` scheduled, the main loop queues one bottom half for each.
  mutating func schedule(runsScheduledByHost hostRuns: Int) {
    while runsKnown < hostRuns {
      pending.append(.busRun)
      runsKnown += 1
    }
  }

  mutating func schedule(_ bottomHalf: BottomHalf) {
    pending.append(bottomHalf)
  }

  /// Starts a slice: the bottom halves it runs, in the order it runs them.
  mutating func takeSlice() -> [BottomHalf] {
    let slice = pending.reversed() as [BottomHalf]
    pending.removeAll(keepingCapacity: true)
    return slice
  }

  /// A bus run of the slice ran (it consumed one of the host's scheduled runs).
  mutating func ranBusRun() {
    runsKnown -= 1
  }

  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(UInt64(pending.count) | UInt64(UInt32(clamping: runsKnown)) << 32)
    for bottomHalf in pending {
      switch bottomHalf {
      case .busRun: hasher.add(0x5255_4E00)
      case .deliveryCompletion(let status): hasher.add(UInt64(UInt32(bitPattern: status)) << 8 | 1)
      }
    }
  }
}
