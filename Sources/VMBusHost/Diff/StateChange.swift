import VMBusWire

/// One visible difference between two host states, for transcripts and step-by-step replay.
public enum StateChange: Hashable, Sendable, CustomStringConvertible {
  /// The bus moved to another state.
  case bus(from: BusState, to: BusState)
  /// A message went in flight or came back.
  case messageInFlight(Bool)
  /// The negotiated version changed (0 = none).
  case version(from: ProtocolVersion, to: ProtocolVersion)
  /// `target_vp` changed.
  case targetVP(from: UInt32, to: UInt32)
  /// The rx queue length changed.
  case queueLength(from: Int, to: Int)
  /// A channel appeared on the bus.
  case channelAdded(ChannelID)
  /// A channel's offer state changed.
  case offer(ChannelID, from: OfferState, to: OfferState)
  /// A channel's open state changed.
  case channel(ChannelID, from: ChannelState, to: ChannelState)
  /// A GPADL was created.
  case gpadlAdded(GpadlID, pages: UInt32, seen: UInt32?)
  /// A GPADL's state, fill or references changed.
  case gpadl(GpadlID, from: Gpadl, to: Gpadl)
  /// A GPADL was freed.
  case gpadlRemoved(GpadlID)
  /// The hardened host came to owe a failure reply (nil: the one it owed was sent).
  case failureReply(FailureReply?)
  /// The host faulted.
  case fault(HostFault)

  public var description: String {
    switch self {
    case .bus(let from, let to): "bus \(from)→\(to)"
    case .messageInFlight(let inFlight): inFlight ? "message in flight" : "nothing in flight"
    case .version(let from, let to): "version \(Self.version(from))→\(Self.version(to))"
    case .targetVP(let from, let to): "target_vp \(Self.vp(from))→\(Self.vp(to))"
    case .queueLength(let from, let to): "rx queue \(from)→\(to)"
    case .channelAdded(let id): "channel \(id) added"
    case .offer(let id, let from, let to): "channel \(id) offer \(from)→\(to)"
    case .channel(let id, let from, let to):
      "channel \(id) \(Self.describe(from))→\(Self.describe(to))"
    case .gpadlAdded(let id, let pages, let seen):
      "gpadl \(id) created (\(seen.map { "\($0)" } ?? "?")/\(pages) pages)"
    case .gpadl(let id, let from, let to): "gpadl \(id) \(Self.describe(from, to))"
    case .gpadlRemoved(let id): "gpadl \(id) freed"
    case .failureReply(let reply): reply.map { "owes \($0)" } ?? "failure reply done"
    case .fault(let fault): "HOST FAULT: \(fault)"
    }
  }

  private static func version(_ value: ProtocolVersion) -> String {
    value.rawValue == 0 ? "none" : value.description
  }

  private static func vp(_ value: UInt32) -> String {
    value == HostState.noVP ? "none" : "\(value)"
  }

  private static func describe(_ state: ChannelState) -> String {
    switch state {
    case .initial: "init"
    case .opening(_, let hostOpen):
      "opening" + (hostOpen.map { $0 ? " (host open)" : " (host open failed)" } ?? "")
    case .open: "open"
    }
  }

  private static func describe(_ from: Gpadl, _ to: Gpadl) -> String {
    var parts: [String] = []
    if from.state != to.state { parts.append("\(from.state)→\(to.state)") }
    if from.seenGfns != to.seenGfns {
      parts.append("pages \(to.seenGfns.map { "\($0)" } ?? "?")/\(to.numGfns)")
    }
    if from.refcount != to.refcount { parts.append("refs \(from.refcount)→\(to.refcount)") }
    if from.isAssumed != to.isAssumed { parts.append(to.isAssumed ? "assumed" : "confirmed") }
    return parts.isEmpty ? "changed" : parts.joined(separator: ", ")
  }
}

extension HostState {
  /// What differs from `old`, in a stable order: bus, version, queue, channels, GPADLs.
  public func changes(from old: HostState) -> [StateChange] {
    var changes: [StateChange] = []
    if old.bus != bus { changes.append(.bus(from: old.bus, to: bus)) }
    if old.messageInFlight != messageInFlight { changes.append(.messageInFlight(messageInFlight)) }
    if old.version != version { changes.append(.version(from: old.version, to: version)) }
    if old.targetVP != targetVP { changes.append(.targetVP(from: old.targetVP, to: targetVP)) }
    if old.rxQueue.count != rxQueue.count {
      changes.append(.queueLength(from: old.rxQueue.count, to: rxQueue.count))
    }
    for channel in channels {
      guard let before = old.channel(channel.id) else {
        changes.append(.channelAdded(channel.id))
        continue
      }
      if before.offer != channel.offer {
        changes.append(.offer(channel.id, from: before.offer, to: channel.offer))
      }
      if before.state != channel.state {
        changes.append(.channel(channel.id, from: before.state, to: channel.state))
      }
    }
    for gpadl in gpadls.reversed() {
      if let before = old.gpadl(gpadl.id) {
        if before != gpadl { changes.append(.gpadl(gpadl.id, from: before, to: gpadl)) }
      } else {
        changes.append(.gpadlAdded(gpadl.id, pages: gpadl.numGfns, seen: gpadl.seenGfns))
      }
    }
    for gpadl in old.gpadls.reversed() where self.gpadl(gpadl.id) == nil {
      changes.append(.gpadlRemoved(gpadl.id))
    }
    if old.failureReply != failureReply { changes.append(.failureReply(failureReply)) }
    if let fault, old.fault == nil { changes.append(.fault(fault)) }
    return changes
  }
}
