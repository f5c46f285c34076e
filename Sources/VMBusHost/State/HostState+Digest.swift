import VMBusWire

/// A stable 64-bit FNV-1a digest: the same state gives the same value on every build and
/// machine (unlike `Hasher`, which is seeded per process).
public struct StableDigest: Sendable {
  private var value: UInt64 = 0xcbf2_9ce4_8422_2325

  public init() {}

  public mutating func mix(_ byte: UInt8) {
    value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
  }

  public mutating func mix<T: FixedWidthInteger>(_ integer: T) {
    var remaining = UInt64(truncatingIfNeeded: integer)
    for _ in 0..<(T.bitWidth / 8) {
      mix(UInt8(truncatingIfNeeded: remaining))
      remaining >>= 8
    }
  }

  public mutating func mix(_ flag: Bool) { mix(UInt8(flag ? 1 : 0)) }

  public mutating func mix<T: FixedWidthInteger>(_ optional: T?) {
    mix(optional != nil)
    if let optional { mix(optional) }
  }

  public mutating func mix(_ text: String) {
    mix(UInt32(truncatingIfNeeded: text.utf8.count))
    for byte in text.utf8 { mix(byte) }
  }

  /// Mixes `guid.description` as ``mix(_:)-(String)`` would, without building the string
  /// (fuzz campaigns digest every run's final state).
  public mutating func mix(textOf guid: GUID) {
    let hexDigits: StaticString = "0123456789abcdef"
    mix(UInt32(36))
    for index in 0..<16 {
      if index == 4 || index == 6 || index == 8 || index == 10 { mix(UInt8(ascii: "-")) }
      let half = index < 8 ? guid.high : guid.low
      let byte = UInt8(truncatingIfNeeded: half >> UInt64(56 - 8 * (index % 8)))
      hexDigits.withUTF8Buffer { digits in
        mix(digits[Int(byte >> 4)])
        mix(digits[Int(byte & 0x0F)])
      }
    }
  }

  public var finalized: UInt64 { value }

  /// Sixteen lower-case hex digits.
  public var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

extension HostState {
  /// A digest of the whole state, stable across builds: snapshots and sessions store it.
  public var digest: StableDigest {
    var d = StableDigest()
    d.mix(profile.rawValue)
    d.mix(machine != nil)
    if let machine {
      d.mix(machine.vcpuCount)
      for vp in machine.vcpusWithoutSynIC { d.mix(vp) }
      // Mixed only when not current, so digests stored before releases were modelled hold.
      if machine.qemuRelease != .current { d.mix(machine.qemuRelease.rawValue) }
    }
    d.mix(bus.rawValue)
    d.mix(messageInFlight)
    d.mix(UInt64(pendingRuns))
    d.mix(busNotifierSet)
    d.mix(version.rawValue)
    d.mix(targetVP)
    d.mix(interruptPage)
    d.mix(rxQueue.head)
    d.mix(UInt32(rxQueue.count))
    for message in rxQueue.messages { mix(message, into: &d) }
    d.mix(UInt32(devices.count))
    for device in devices {
      d.mix(device.pointer.rawValue)
      if let config = device.config { d.mix(textOf: config.instanceID) } else { d.mix("") }
      d.mix(UInt32(device.channelIDs.count))
    }
    d.mix(UInt32(channels.count))
    for channel in channels { mix(channel, into: &d) }
    d.mix(UInt32(gpadls.count))
    for gpadl in gpadls {
      d.mix(gpadl.id.rawValue)
      d.mix(gpadl.childRelid?.rawValue)
      d.mix(gpadl.numGfns)
      d.mix(gpadl.seenGfns)
      d.mix(gpadl.state.rawValue)
      d.mix(gpadl.refcount)
      d.mix(gpadl.isAssumed)
      d.mix(gpadl.ringIndicesCorrupted)
    }
    d.mix(fault?.description ?? "")
    // Mixed only when not the usual value (known in a simulation, not yet recorded), so the
    // digests stored before route provenance was tracked hold for simulated sessions.
    if !routeKnown { d.mix("route unknown") }
    if faultJustTraced { d.mix("fault not yet recorded") }
    d.mix(handling != nil)
    if let handling { mix(handling, into: &d) }
    d.mix(announcedPost?.rawValue)
    d.mix(awaiting.map { String(describing: $0) } ?? "")
    // Mixed only when set, so states that never owe one (every `.qemu` state) keep the
    // digests stored before the hardened profile existed.
    if let failureReply { d.mix(failureReply.description) }
    return d
  }

  private func mix(_ message: QueuedMessage, into d: inout StableDigest) {
    d.mix(message.type.rawValue)
    d.mix(message.size)
    d.mix(message.payload != nil)
    for byte in message.payload ?? [] { d.mix(byte) }
  }

  private func mix(_ channel: Channel, into d: inout StableDigest) {
    d.mix(channel.id.rawValue)
    d.mix(channel.device.rawValue)
    d.mix(channel.subchannelIndex)
    d.mix(channel.offer.rawValue)
    switch channel.state {
    case .initial: d.mix(UInt8(0))
    case .opening(let request, let hostOpen):
      d.mix(UInt8(1))
      mix(request, into: &d)
      d.mix(hostOpen.map { $0 ? UInt8(1) : 0 })
    case .open(let request):
      d.mix(UInt8(2))
      mix(request, into: &d)
    }
  }

  private func mix(_ request: OpenRequest, into d: inout StableDigest) {
    d.mix(request.gpadlID.rawValue)
    d.mix(request.targetVP)
    d.mix(request.openID)
    d.mix(request.ringBufferOffset)
  }
}
