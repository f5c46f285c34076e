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
  /// mutation, and no two accesses to one actor can overlap: the runtime's exclusivity
  /// check would only cost time on every access.
  private final class Box: Sendable {
    @exclusivity(unchecked) nonisolated(unsafe) var actor: ActorRuntime
    /// The actor's exploration key, or ``unknownKey``. Filled in by whichever copy of the
    /// run asks first (the same value for every copy sharing the box), cleared when the
    /// actor changes.
    let key = Atomic<UInt64>(ActorTable.unknownKey)

    init(_ actor: ActorRuntime) { self.actor = actor }
  }

  /// No key computed; a computed key that happens to equal it is stored as 1 instead.
  private static let unknownKey: UInt64 = 0

  private var boxes: [Box]

  init(_ actors: some Sequence<ActorRuntime>) {
    boxes = actors.map(Box.init)
  }

  var startIndex: Int { boxes.startIndex }
  var endIndex: Int { boxes.endIndex }

  subscript(index: Int) -> ActorRuntime {
    // Borrowed, not copied: reading one field must not retain all the actor holds.
    _read { yield boxes[index].actor }
    _modify {
      if !isKnownUniquelyReferenced(&boxes[index]) {
        boxes[index] = Box(boxes[index].actor)
      } else {
        boxes[index].key.store(Self.unknownKey, ordering: .relaxed)
      }
      yield &boxes[index].actor
    }
  }

  /// Adds every actor's exploration key, in order, computing only those not yet known.
  func addExplorationKey(into hasher: inout WordHasher) {
    for box in boxes {
      var key = box.key.load(ordering: .relaxed)
      if key == Self.unknownKey {
        var actorHasher = WordHasher()
        box.actor.addExplorationKey(into: &actorHasher)
        key = actorHasher.value == Self.unknownKey ? 1 : actorHasher.value
        box.key.store(key, ordering: .relaxed)
      }
      hasher.add(key)
    }
  }
}
