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

  /// Adds every actor's exploration key, in order, computing only those not yet known.
  func addExplorationKey(into hasher: inout WordHasher) {
    for box in boxes {
      var key = box.key.load(ordering: .relaxed)
      if key == Self.unknownKey {
        var actorHasher = WordHasher()
        ActorRuntime.addExplorationKey(of: box.actor, into: &actorHasher)
        key = actorHasher.value == Self.unknownKey ? 1 : actorHasher.value
        box.key.store(key, ordering: .relaxed)
      }
      hasher.add(key)
    }
    // Timers fire only when no action is enabled, earliest first and equal ones together
    // (`idle`), so which actor's fires first decides what follows. Not how far off they
    // are: paths to one state differ there by a few steps' microseconds, which matters only
    // to a timer set later that lands within those microseconds of a pending one, and would
    // keep such states apart for every timer.
    addOrder(into: &hasher) { $0.pointee.status.deadline?.nanoseconds }
    // A reply completes the earliest linked request it matches (`chn_msg_list`'s order).
    addOrder(into: &hasher) { actor in
      // Field by field: binding the whole request would copy its condition and reply.
      guard let order = actor.pointee.linked?.order else { return nil }
      if case .some = actor.pointee.linked?.reply { return nil }
      return UInt64(order)
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
      for box in boxes {
        guard let value = rank(box.actor) else { continue }
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
