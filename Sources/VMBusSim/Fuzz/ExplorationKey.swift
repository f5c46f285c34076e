import VMBusHost
import VMBusWire

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
  /// What of an actor decides what it does next: program counter, attempt, last refusal,
  /// status and inbox. Small fields share a word, each in its own bits.
  func addExplorationKey(into hasher: inout WordHasher) {
    let code: UInt64
    switch status {
    case .ready: code = 0
    case .sleeping: code = 1
    case .waiting: code = 2
    case .done: code = 3
    case .blocked: code = unblocked ? 5 : 4
    }
    if let linked {
      // The condition is the kernel's (ids it already hashes); whether the reply came and
      // what it said decide what happens next.
      var entry = WordHasher()
      entry.add(UInt64(linked.condition.type.rawValue))
      for field in linked.condition.fields { entry.add(field.value) }
      if let reply = linked.reply { reply.addExplorationKey(into: &entry) }
      hasher.add(entry.value)
    }
    if let lastReplyStatus { hasher.add(UInt64(lastReplyStatus) | 1 << 32) }
    let counter = UInt64(UInt32(clamping: pc))
    let tries = UInt64(UInt16(clamping: attempt))
    let refused: UInt64 = lastVersionRefused ? 1 : 0
    let queued = UInt64(min(inbox.count, 0x1FFF))
    hasher.add(counter | tries << 32 | refused << 48 | code << 49 | queued << 51)
    for index in inbox.indices { hasher.add(inbox[index].explorationKey) }
    // Most actors have neither (a clean run stores no verdict): nothing to add, no
    // dictionary to walk.
    guard !verdicts.isEmpty || !withdrawn.isEmpty else { return }
    // The verdicts decide whose fault a hang is. Summed, so the dictionaries' order (which
    // varies from run to run) cannot change the key.
    var verdictSum: UInt64 = 0
    for (request, verdict) in verdicts.entries {
      var entry = WordHasher()
      request.addExplorationKey(into: &entry)
      switch verdict {
      case .owed(let dropped):
        entry.add(1)
        if let dropped { entry.add(dropped.rootCause) }
      case .guestError(let rule):
        entry.add(2)
        entry.add(rule.rootCause)
      }
      verdictSum = verdictSum &+ entry.value
    }
    var withdrawnSum: UInt64 = 0
    for (request, cause) in withdrawn.entries {
      var entry = WordHasher()
      request.addExplorationKey(into: &entry)
      entry.add(cause.rootCause)
      withdrawnSum = withdrawnSum &+ entry.value
    }
    hasher.add(verdictSum)
    hasher.add(withdrawnSum)
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
      | (fatalFailureSeen ? 1 << 10 : 0)
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
