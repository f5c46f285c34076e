import Synchronization
import VMBusHost

/// A run's actors, each behind its own copy-on-write box.
///
/// A scheduler step changes one actor. In a plain array, a copied run (the explorer copies
/// one per branch) would then copy every actor's lists to change that one; here it copies
/// the boxes' pointers and the one actor it changes. Each box also keeps its actor's
/// exploration key once computed, so a state's key hashes only the actors that changed.
struct ActorTable: RandomAccessCollection, MutableCollection, Sendable {
  /// Its actor is only ever mutated while the box is uniquely referenced (see the
  /// subscript), so sharing one between copies of a run, or threads, never shares a
  /// mutation, and no two accesses to one actor can overlap.
  ///
  /// The actor lives behind a pointer the box owns, not in a stored property: reading a
  /// class's stored struct copied the whole actor (every list it holds retained, then
  /// released) on each read of one field, about a quarter million times in a small
  /// exploration. A pointer's `pointee` is borrowed in place.
  private final class Box: Sendable {
    nonisolated(unsafe) let actor: UnsafeMutablePointer<ActorRuntime>
    /// The actor's exploration key, or ``unknownKey``. Filled in by whichever copy of the
    /// run asks first (the same value for every copy sharing the box), cleared when the
    /// actor changes.
    let key = Atomic<UInt64>(ActorTable.unknownKey)

    init(_ actor: ActorRuntime) {
      self.actor = .allocate(capacity: 1)
      self.actor.initialize(to: actor)
    }

    deinit {
      actor.deinitialize(count: 1)
      actor.deallocate()
    }
  }

  /// No key computed; a computed key that happens to equal it is stored as 1 instead.
  private static let unknownKey: UInt64 = 0

  private var boxes: [Box]

  init(_ actors: some Sequence<ActorRuntime>) {
    boxes = actors.map(Box.init)
  }

  var startIndex: Int { boxes.startIndex }
  var endIndex: Int { boxes.endIndex }

  /// The actor's own memory, not a copy: through a `_read` or `get`, the compiler copied
  /// the whole actor to read one field, since nothing proved its storage unchanged meanwhile.
  /// The address is the box's, valid while the table holds it, which no access to this
  /// table can change before the access ends.
  subscript(index: Int) -> ActorRuntime {
    unsafeAddress { UnsafePointer(boxes[index].actor) }
    // Inlined, as the `_modify` it replaced was: a fuzz run changes an actor some 40 times.
    @inline(__always)
    unsafeMutableAddress {
      if isKnownUniquelyReferenced(&boxes[index]) {
        boxes[index].key.store(Self.unknownKey, ordering: .relaxed)
      } else {
        copyActor(at: index)
      }
      return boxes[index].actor
    }
  }

  /// Gives this table its own copy of a shared actor (the explorer's runs share them).
  @inline(never)
  private mutating func copyActor(at index: Int) {
    boxes[index] = Box(boxes[index].actor.pointee)
  }

  /// Adds every actor's exploration key, in order, computing only those not yet known, then
  /// the order in which linked requests take replies. How far off the actors' timers are is
  /// the separate ``addTimerDistances(into:now:)``.
  func addExplorationKey(into hasher: inout WordHasher) {
    // By index, each box borrowed from the array: `for box in boxes` retained and released
    // every box, several times per explored state.
    for index in boxes.indices {
      var key = boxes[index].key.load(ordering: .relaxed)
      if key == Self.unknownKey {
        var actorHasher = WordHasher()
        ActorRuntime.addExplorationKey(of: boxes[index].actor, into: &actorHasher)
        key = actorHasher.value == Self.unknownKey ? 1 : actorHasher.value
        boxes[index].key.store(key, ordering: .relaxed)
      }
      hasher.add(key)
    }
    // A reply completes the earliest linked request it matches (`chn_msg_list`'s order).
    addOrder(into: &hasher) { actor in
      // Field by field: binding the whole request would copy its condition and reply.
      guard let order = actor.pointee.linked?.order else { return nil }
      if case .some = actor.pointee.linked?.reply { return nil }
      return UInt64(order)
    }
  }

  /// Adds how far each pending timer is from `now`, in actor order (which actors have a
  /// timer is in their own keys).
  ///
  /// Timers fire only when no action is enabled, earliest first and equal ones together
  /// (`idle`). Whether a timer set later fires before, with or after a pending one depends
  /// on how far off the pending one is, so a key holds each distance, not only their order:
  /// of two paths to one state a few steps apart, one can let a later sleep end first and
  /// the other not. With the distances, states that agree on the key differ in absolute
  /// time alone, and have the same future shifted in time. A timer already due fires at the
  /// next idle moment whatever its lateness: 0.
  func addTimerDistances(into hasher: inout WordHasher, now: VirtualDuration) {
    for index in boxes.indices {
      guard let deadline = boxes[index].actor.pointee.status.deadline else { continue }
      hasher.add(deadline > now ? deadline.nanoseconds &- now.nanoseconds : 0)
    }
  }

  /// The order of the actors' `rank` values, where they have one: for each, in actor order,
  /// how many are lower. Which actors have one is in their own keys, and one alone has no
  /// order. Each value is read once, into memory on the stack.
  @inline(__always)
  private func addOrder(
    into hasher: inout WordHasher, _ rank: (UnsafePointer<ActorRuntime>) -> UInt64?
  ) {
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: boxes.count) { values in
      var count = 0
      for index in boxes.indices {
        guard let value = rank(boxes[index].actor) else { continue }
        values[count] = value
        count += 1
      }
      guard count > 1 else { return }
      for index in 0..<count {
        var lower: UInt64 = 0
        for other in 0..<count where values[other] < values[index] { lower += 1 }
        hasher.add(lower)
      }
    }
  }
}
