import VMBusHost
import VMBusWire

/// A fast 64-bit hash of whole words, for the exhaustive explorer's visited set: one
/// multiply and shift per word instead of a SipHash round per field. (Collisions among a few
/// million states have a probability near 10^-7.)
struct WordHasher {
  private(set) var value: UInt64 = 0x243F_6A88_85A3_08D3

  @inline(__always)
  mutating func add(_ word: UInt64) {
    value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
    value ^= value >> 29
  }

  @inline(__always)
  mutating func add<T: FixedWidthInteger>(_ word: T) { add(UInt64(truncatingIfNeeded: word)) }

  mutating func add(_ flag: Bool) { add(UInt64(flag ? 1 : 0)) }

  /// Bytes eight at a time, then the tail and the length.
  mutating func add(bytes: [UInt8]) { add(bytes: bytes[...]) }

  mutating func add(bytes: ArraySlice<UInt8>) {
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset + 8 <= raw.count {
        add(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
      }
      var tail: UInt64 = 0
      for index in offset..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
      add(tail)
    }
    add(bytes.count)
  }
}

extension HostState {
  /// Everything of the host that decides what happens after an action (not the reducer's
  /// within-action bookkeeping: `handling`, `announcedPost`, `awaiting`).
  func addExplorationKey(into hasher: inout WordHasher) {
    hasher.add(profile == .qemu ? 0 : 1)
    hasher.add(bus.rawValue)
    hasher.add(messageInFlight)
    hasher.add(runScheduled)
    hasher.add(version.rawValue)
    hasher.add(targetVP)
    hasher.add(interruptPage)
    hasher.add(rxQueue.head)
    hasher.add(rxQueue.count)
    for message in rxQueue.messages {
      hasher.add(message.type.rawValue)
      hasher.add(message.size)
      // What the host reads of a payload: the fixed fields (40 bytes covers the longest,
      // INITIATE_CONTACT); PFN values never change what it does.
      if let payload = message.payload { hasher.add(bytes: payload.prefix(40)) }
    }
    hasher.add(channels.count)
    for channel in channels {
      hasher.add(channel.id.rawValue)
      hasher.add(channel.device.rawValue)
      hasher.add(channel.offer.rawValue)
      switch channel.state {
      case .initial: hasher.add(0)
      case .opening(let request, let hostOpen):
        hasher.add(hostOpen == true ? 1 : hostOpen == false ? 2 : 3)
        hasher.add(request.gpadlID.rawValue)
        hasher.add(request.targetVP)
      case .open(let request):
        hasher.add(4)
        hasher.add(request.gpadlID.rawValue)
        hasher.add(request.targetVP)
      }
    }
    hasher.add(gpadls.count)
    for gpadl in gpadls {
      hasher.add(gpadl.id.rawValue)
      hasher.add(gpadl.numGfns)
      hasher.add(gpadl.seenGfns.map { UInt64($0) } ?? .max)
      hasher.add(gpadl.state.rawValue)
      hasher.add(gpadl.refcount)
      hasher.add(gpadl.ringIndicesCorrupted)
    }
    hasher.add(devices.count)
    hasher.add(fault != nil)
    switch failureReply {
    case .none: hasher.add(0)
    case .gpadlRefused(let relid, let gpadl):
      hasher.add(1)
      hasher.add(relid.rawValue)
      hasher.add(gpadl.rawValue)
    case .gpadlTorndown(let gpadl):
      hasher.add(2)
      hasher.add(gpadl.rawValue)
    case .openRefused(let relid, let openID):
      hasher.add(3)
      hasher.add(relid.rawValue)
      hasher.add(openID)
    }
  }
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
