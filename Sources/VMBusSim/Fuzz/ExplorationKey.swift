import VMBusHost
import VMBusWire

extension WordHasher {
  /// A root cause's name.
  mutating func add(_ cause: RootCause) { add(utf8: cause.rawValue) }
}

extension ChannelMessage {
  /// What the guest can tell host messages apart by: the type and the fields waits match on
  /// and offers are looked up by (not the zero user data or page lists).
  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(type.rawValue)
    for field in ReplyField.allCases {
      if let value = field.value(in: self) { hasher.add(value) }
    }
    if case .offerChannel(let offer) = self {
      hasher.add(offer.interfaceInstance.high)
      hasher.add(offer.interfaceInstance.low)
    }
  }
}

extension ActorRuntime {
  /// What of an actor decides what it does next, and whose fault a hang would be: program
  /// counter, attempt, last refusal, status (a wait's resolved conditions with it) and inbox;
  /// the requests it posted (a hang on one is owed only if it is there), with the GPADL
  /// pages still to come and the oracle's verdict on each; what the host withdrew.
  /// Small fields share a word, each in its own bits.
  ///
  /// Read through the actor's address, field by field: a method on the actor in its box's
  /// memory copied the whole actor first (the compiler cannot tell the call leaves that
  /// memory alone).
  static func addExplorationKey(
    of actor: UnsafePointer<ActorRuntime>, into hasher: inout WordHasher
  ) {
    let code: UInt64
    switch actor.pointee.status {
    case .ready: code = 0
    case .sleeping: code = 1
    case .waiting: code = 2
    case .done: code = 3
    case .blocked: code = actor.pointee.unblocked ? 5 : 4
    }
    if let linked = actor.pointee.linked {
      // The condition is the kernel's (ids it already hashes); whether the reply came and
      // what it said decide what happens next.
      var entry = WordHasher()
      linked.condition.addExplorationKey(into: &entry)
      if let reply = linked.reply { reply.addExplorationKey(into: &entry) }
      hasher.add(entry.value)
    }
    if case .waiting(let waiting) = actor.pointee.status {
      // Resolved from the kernel when the wait began (`relid(...)`, `ring_gpadl(...)`), not
      // from the op at the counter: two paths to one counter can wait for different ids.
      var entry = WordHasher()
      waiting.condition.addExplorationKey(into: &entry)
      waiting.expect.addExplorationKey(into: &entry)
      entry.add(actor.pointee.hasMatchingMessage)
      hasher.add(entry.value)
    }
    if let status = actor.pointee.lastReplyStatus { hasher.add(UInt64(status) | 1 << 32) }
    let counter = UInt64(UInt32(clamping: actor.pointee.pc))
    let tries = UInt64(UInt16(clamping: actor.pointee.attempt))
    let refused: UInt64 = actor.pointee.lastVersionRefused ? 1 : 0
    let queued = UInt64(min(actor.pointee.inbox.count, 0x1FFF))
    hasher.add(counter | tries << 32 | refused << 48 | code << 49 | queued << 51)
    for index in actor.pointee.inbox.indices {
      hasher.add(actor.pointee.inbox[index].explorationKey)
    }
    // In order: which request a verdict or a body's pages belong to depends on it.
    hasher.add(actor.pointee.requests.entries.count)
    for index in actor.pointee.requests.entries.indices {
      actor.pointee.requests.entries[index].addExplorationKey(into: &hasher)
    }
    // Most actors have none (a clean run withdraws nothing): no dictionary to walk.
    guard !actor.pointee.withdrawn.isEmpty else { return }
    // Summed, so the dictionary's order (which varies from run to run) cannot change the key.
    var withdrawnSum: UInt64 = 0
    for (request, cause) in actor.pointee.withdrawn.entries {
      var entry = WordHasher()
      request.addExplorationKey(into: &entry)
      entry.add(cause.rootCause)
      withdrawnSum = withdrawnSum &+ entry.value
    }
    hasher.add(withdrawnSum)
  }
}

extension PostedRequests.Entry {
  /// The request, the pages it still lacks and the verdict, in as few words as the common
  /// case allows (a whole request QEMU handled: two).
  func addExplorationKey(into hasher: inout WordHasher) {
    key.addExplorationKey(into: &hasher)
    let code: UInt64
    switch verdict {
    case nil: code = 0
    case .owed(nil): code = 1
    case .owed(.some): code = 2
    case .guestError: code = 3
    }
    hasher.add(code | missingPages << 2)
    switch verdict {
    case .owed(let dropped?): hasher.add(dropped.rootCause)
    case .guestError(let rule): hasher.add(rule.rootCause)
    default: break
    }
  }
}

extension ReplyCondition {
  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(UInt64(type.rawValue) | UInt64(fields.count) << 32)
    for (field, value) in fields {
      hasher.add(field.explorationCode)
      hasher.add(value)
    }
  }
}

extension ReplyField {
  /// The field as a number for the key (hashing its name cost 3 % of an exploration).
  fileprivate var explorationCode: UInt64 {
    switch self {
    case .versionSupported: 1
    case .childRelid: 2
    case .openID: 3
    case .status: 4
    case .gpadlID: 5
    case .subChannelIndex: 6
    case .connectionID: 7
    }
  }
}

extension RequestKey {
  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(UInt64(type.rawValue) | UInt64(key ?? 0) << 32 | (key == nil ? 1 << 31 : 0))
  }
}

extension ReplyOracle {
  /// The connection and what a correct host holds beyond QEMU's state.
  func addExplorationKey(into hasher: inout WordHasher) {
    let flags =
      UInt64(connection.rawValue) | (offersSent ? 1 << 8 : 0) | (lost == nil ? 0 : 1 << 9)
      | (fatalFailureSeen ? 1 << 10 : 0) | (offersLostInMigration == nil ? 0 : 1 << 11)
    hasher.add(flags | UInt64(version.rawValue) << 32)
    hasher.add(offered.count)
    for relid in offered { hasher.add(relid.rawValue) }
    if let lost {
      hasher.add(lost.cause.rootCause)
      for channel in lost.channels {
        hasher.add(UInt64(channel.id.rawValue) | (channel.state == .initial ? 0 : 1 << 32))
      }
      for gpadl in lost.gpadls {
        hasher.add(UInt64(gpadl.id.rawValue) | UInt64(gpadl.state.rawValue) << 32)
      }
    }
  }
}
