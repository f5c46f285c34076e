import VMBusHost

/// QEMU's main-loop bottom halves that drive the bus, in the order they were scheduled.
///
/// QEMU runs bottom halves in slices (`aio_bh_poll` in `util/async.c`): a slice takes every
/// bottom half scheduled so far and runs them newest first (`aio_bh_enqueue` pushes onto the
/// head of a list that `aio_bh_poll` moves aside and pops), while the ones they schedule
/// wait for the next slice. A slice holds the big QEMU lock, so no hypercall and no vCPU work
/// comes in between. The scheduler picks when a slice starts; every order QEMU can produce
/// is one of those choices.
///
/// The list lives in one word, four bits a bottom half: the explorer copies a simulation per
/// branch, and a heap-allocated list would be copied with it.
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

  /// The most bottom halves one word holds. QEMU schedules only a few at a time for the bus
  /// (a run per enqueue into an empty queue, per dequeue and per callback, a completion per
  /// post). Were it ever full, a run the host asked for is queued once there is room, a
  /// little later than QEMU would have: the counts never disagree.
  static let capacity = 16

  /// Scheduled and not yet started, four bits each, oldest in the low bits.
  private var word: UInt64 = 0
  private(set) var count = 0
  /// `vmbus_run` bottom halves scheduled and not yet run, the current slice's included: the
  /// host state's `pendingRuns` as the main loop has heard of it.
  private(set) var runsKnown = 0

  var isEmpty: Bool { count == 0 }

  /// Schedules the bus runs the host asked for since the last look: the host counts what
  /// `vmbus_resched` scheduled, the main loop queues one bottom half for each.
  mutating func schedule(runsScheduledByHost hostRuns: Int) {
    while runsKnown < hostRuns && count < Self.capacity {
      schedule(.busRun)
      runsKnown += 1
    }
  }

  mutating func schedule(_ bottomHalf: BottomHalf) {
    guard count < Self.capacity else { return }
    word |= Self.code(bottomHalf) << UInt64(4 * count)
    count += 1
  }

  /// Starts a slice: the bottom halves it runs, in the order it runs them (newest first).
  mutating func takeSlice() -> Slice {
    let slice = Slice(word: word, remaining: count)
    word = 0
    count = 0
    return slice
  }

  /// Drops every scheduled delivery completion, keeping the runs in their order.
  mutating func cancelDeliveryCompletions() {
    let slice = Array(takeSlice()).reversed() as [BottomHalf]
    for bottomHalf in slice where bottomHalf == .busRun { schedule(.busRun) }
  }

  /// A bus run of the slice ran (it consumed one of the host's scheduled runs).
  mutating func ranBusRun() {
    runsKnown -= 1
  }

  /// The bottom halves of one slice, newest first.
  struct Slice: Sequence, IteratorProtocol {
    fileprivate var word: UInt64
    fileprivate var remaining: Int

    mutating func next() -> BottomHalf? {
      guard remaining > 0 else { return nil }
      remaining -= 1
      return MainLoop.bottomHalf(code: word >> UInt64(4 * remaining) & 0xF)
    }
  }

  private static func code(_ bottomHalf: BottomHalf) -> UInt64 {
    switch bottomHalf {
    case .busRun: 1
    case .deliveryCompletion(DeliveryStatus.delivered): 2
    case .deliveryCompletion(DeliveryStatus.slotBusy): 3
    case .deliveryCompletion(DeliveryStatus.noMessagePage): 4
    // `cpu_post_msg` reports only these three.
    case .deliveryCompletion: 4
    }
  }

  private static func bottomHalf(code: UInt64) -> BottomHalf {
    switch code {
    case 2: .deliveryCompletion(DeliveryStatus.delivered)
    case 3: .deliveryCompletion(DeliveryStatus.slotBusy)
    case 4: .deliveryCompletion(DeliveryStatus.noMessagePage)
    default: .busRun
    }
  }

  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(word ^ UInt64(count) << 58 ^ UInt64(UInt32(clamping: runsKnown)) << 32)
  }
}
