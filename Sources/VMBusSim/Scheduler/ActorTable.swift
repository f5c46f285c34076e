/// A run's actors, each behind its own copy-on-write box.
///
/// A scheduler step changes one actor. In a plain array, a copied run (the explorer copies
/// one per branch) would then copy every actor's lists to change that one; here it copies
/// the boxes' pointers and the one actor it changes.
struct ActorTable: RandomAccessCollection, MutableCollection, Sendable {
  /// Only ever mutated while uniquely referenced (see the subscript), so sharing one between
  /// copies of a run, or threads, never shares a mutation, and no two accesses to one actor
  /// can overlap: the runtime's exclusivity check would only cost time on every access.
  private final class Box: @unchecked Sendable {
    @exclusivity(unchecked) var actor: ActorRuntime

    init(_ actor: ActorRuntime) { self.actor = actor }
  }

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
      }
      yield &boxes[index].actor
    }
  }
}
