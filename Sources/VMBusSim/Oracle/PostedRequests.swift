import VMBusHost

/// The requests an actor posted that ask the host for a reply, oldest first, each with the
/// oracle's verdict once QEMU took it: what a hang waiting on a reply is judged against.
///
/// One verdict per request, not per request key. A guest can post two requests with one key
/// (an OPENCHANNEL cut short, then a whole one for the same relid; a malformed GPADL_HEADER,
/// then another for the same id), and QEMU drops one and answers the other. With a verdict
/// per key, the later request's replaced the earlier's, and a guest still waiting after the
/// one reply was told QEMU owed it.
struct PostedRequests: Sendable {
  struct Entry: Hashable, Sendable {
    /// Which post made it: the queued message carries the same id, so that QEMU taking that
    /// message judges this entry, whatever else the actor posted or forgot with the key.
    var id: UInt32
    var key: RequestKey
    /// Pages of a GPADL still to come in bodies: the host owes GPADL_CREATED only once the
    /// last body completes the GPADL.
    var missingPages: UInt64 = 0
    /// The oracle's verdict when QEMU took the request from its queue; nil before.
    var verdict: RequestVerdict?

    /// Whether the host owes a reply to it at all (a GPADL only once its pages are all sent).
    var isWhole: Bool { missingPages == 0 }
  }

  /// In the order the actor posted them.
  private(set) var entries: [Entry] = []
  /// The next entry's id. Never reset: a message still queued from before ``removeAll()``
  /// must not find an entry posted after it.
  private var nextID: UInt32 = 0

  var isEmpty: Bool { entries.isEmpty }

  /// A request the hypercall accepted: it joins QEMU's queue. Returns its entry's id.
  mutating func post(_ key: RequestKey, missingPages: UInt64 = 0) -> UInt32 {
    let id = nextID
    nextID &+= 1
    entries.append(Entry(id: id, key: key, missingPages: missingPages))
    return id
  }

  /// Where the entry with `id` stands among the entries, if the actor still has it.
  func position(of id: UInt32) -> Int? {
    entries.firstIndex { $0.id == id }
  }

  /// A GPADL_BODY carried `pages` more pages of GPADL `id`: of the newest header with the id
  /// that lacks pages, since a guest sends a GPADL's bodies right after its header (a
  /// header left without bodies, then a whole GPADL with the same id, is the guest's own
  /// doing; QEMU, which finds GPADLs by id, may see it otherwise).
  mutating func add(pages: UInt64, toGpadl id: UInt32) {
    let header = RequestKey(type: .gpadlHeader, key: id)
    guard let index = entries.lastIndex(where: { $0.key == header && !$0.isWhole }) else {
      return
    }
    entries[index].missingPages -= min(pages, entries[index].missingPages)
  }

  /// QEMU took (or flushed) the message that made entry `id`. Nothing, when the actor no
  /// longer has that entry (it forgot or withdrew it after the post): the verdict then
  /// belongs to no request it waits on, not to a later one with the same key. A GPADL's
  /// header is taken while its bodies may still be to come.
  mutating func judge(entry id: UInt32, _ verdict: RequestVerdict) {
    guard let index = position(of: id) else { return }
    entries[index].verdict = verdict
  }

  /// A reply answering `key` reached the guest: it settles the oldest whole request QEMU
  /// handled, else the oldest not judged (a path the oracle does not see). One QEMU refused
  /// or dropped keeps its verdict for whatever wait comes: QEMU answers some requests the
  /// guest got wrong (a REQUESTOFFERS again, an OPENCHANNEL before the offers), and a guest
  /// waiting on after such a reply waits for what no correct host sends.
  mutating func settle(_ key: RequestKey) {
    guard let index = settledIndex(key) else { return }
    entries.remove(at: index)
  }

  /// Whether a reply to `key` would settle a request (see ``settle(_:)``).
  func settles(_ key: RequestKey) -> Bool { settledIndex(key) != nil }

  private func settledIndex(_ key: RequestKey) -> Int? {
    func oldest(_ verdict: RequestVerdict?) -> Int? {
      entries.firstIndex { $0.key == key && $0.isWhole && $0.verdict == verdict }
    }
    return oldest(.owed(dropped: nil)) ?? oldest(nil)
  }

  /// Whether a whole request with `key` is posted and not answered.
  func awaitsReply(_ key: RequestKey) -> Bool {
    entries.contains { $0.key == key && $0.isWhole }
  }

  /// Whose fault a hang waiting for `key`'s reply is, given the whole requests with that key
  /// still unanswered: a QEMU check that dropped one of them, else QEMU's (one was taken, or
  /// not judged, and no reply came), else the rule the guest broke. A correct host would
  /// have answered any owed one, which is all the wait needs.
  func verdict(on key: RequestKey) -> RequestVerdict {
    var guestError: RequestVerdict?
    var owed = false
    for entry in entries where entry.key == key && entry.isWhole {
      switch entry.verdict {
      case .owed(let dropped?): return .owed(dropped: dropped)
      case .owed(nil), nil: owed = true
      case .guestError: guestError = guestError ?? entry.verdict
      }
    }
    return owed ? .owed(dropped: nil) : guestError ?? .owed(dropped: nil)
  }

  /// The guest tore GPADL `id` down: it asks for no GPADL_CREATED any more.
  mutating func withdrawGpadl(_ id: UInt32?) {
    entries.removeAll { $0.key == RequestKey(type: .gpadlHeader, key: id) }
  }

  mutating func removeAll() { entries.removeAll() }
}
