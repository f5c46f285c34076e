import VMBusWire

/// The canonical byte encoding of ``HostState`` (docs/state-encoding.md): a version, then
/// each ``StateField`` in tag order as its tag byte and its value. Integers are
/// little-endian, lists and byte strings are prefixed by a u32 count, optionals by a presence
/// byte, enums by the tag their `EncodingTag` table gives.
///
/// Stored digests, snapshots and the explorer's keys all come from this one walk, through
/// a ``StateEncodingSink``: bytes, the FNV-1a digest, or the explorer's word hash.
public enum StateEncoding {
  /// The version this build writes. Version 1 names the hand-written digest walk of the
  /// builds before this encoding (it had no byte form); a digest is only compared with one of
  /// its own version.
  public static let version: UInt16 = 2

  /// The first version that is this byte encoding; older digests are ``legacyVersion``'s.
  public static let legacyVersion: UInt16 = 1
}

/// Where the encoding walk writes: each method takes one value of the layout.
protocol StateEncodingSink {
  /// A top-level field starts: a sink of the bytes writes its tag. Returns whether the sink
  /// takes the field's value (the explorer's key leaves some out).
  mutating func begin(_ field: StateField) -> Bool
  /// Whether the sink takes the device configurations, which the session's scenario fixes
  /// for each device pointer. The explorer's key, whose states all share one scenario,
  /// does not; bytes and digests do.
  var takesConfiguration: Bool { get }
  /// One byte, 0 or 1, in the layout.
  mutating func write(_ flag: Bool)
  mutating func write(_ value: UInt8)
  mutating func write(_ value: UInt16)
  mutating func write(_ value: UInt32)
  mutating func write(_ value: UInt64)
  /// Raw bytes; the walk has written their count before. (A buffer, not an array: text is
  /// written from its own storage, without a copy per state.)
  mutating func write(contentsOf bytes: UnsafeRawBufferPointer)
}

extension StateEncodingSink {
  var takesConfiguration: Bool { true }

  mutating func write(_ value: UInt32?) {
    write(value != nil)
    if let value { write(value) }
  }

  mutating func write(count: Int) { write(UInt32(truncatingIfNeeded: count)) }

  mutating func write(bytes: [UInt8]) {
    write(count: bytes.count)
    bytes.withUnsafeBytes { write(contentsOf: $0) }
  }

  mutating func write(_ text: String) {
    var text = text
    text.withUTF8 { utf8 in
      write(count: utf8.count)
      write(contentsOf: UnsafeRawBufferPointer(utf8))
    }
  }

  mutating func write(_ guid: GUID) {
    write(guid.high)
    write(guid.low)
  }
}

extension HostState {
  /// The canonical bytes of the state.
  public var canonicalBytes: [UInt8] {
    var bytes = StateBytes()
    encode(into: &bytes)
    return bytes.bytes
  }

  /// Writes the canonical bytes after `buffer`'s contents, reusing its storage.
  public func encode(appendingTo buffer: inout [UInt8]) {
    var bytes = StateBytes(bytes: buffer)
    buffer = []
    encode(into: &bytes)
    buffer = bytes.bytes
  }

  /// A digest of the whole state, stable across builds: FNV-1a over ``canonicalBytes``,
  /// computed without building them. Snapshots and sessions store its ``StableDigest/hex``
  /// with ``StateEncoding/version``.
  public var digest: StableDigest {
    var digest = StableDigest()
    encode(into: &digest)
    return digest
  }

  /// What the exhaustive explorer tells states apart by, hashed: every field whose
  /// ``StateField/isInExplorationKey`` holds, as the encoding writes it (less what
  /// `ExplorationKeySink` leaves out).
  package var explorationKey: UInt64 {
    var sink = ExplorationKeySink(hasher: WordHasher())
    encode(into: &sink)
    sink.flush()
    return sink.hasher.value
  }

  /// The encoding walk: every field, in tag order.
  ///
  /// Written out rather than a loop over `StateField.inOrder`: each call folds the switch
  /// below to its one case, where the loop cost an indirect jump per field, a fifth of the
  /// explorer's key. The decoder does loop over the table, so the round-trip tests fail if
  /// this list leaves a field out or reorders one.
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(StateEncoding.version)
    encode(.profile, into: &sink)
    encode(.machine, into: &sink)
    encode(.bus, into: &sink)
    encode(.messageInFlight, into: &sink)
    encode(.pendingRuns, into: &sink)
    encode(.busNotifierSet, into: &sink)
    encode(.version, into: &sink)
    encode(.targetVP, into: &sink)
    encode(.interruptPage, into: &sink)
    encode(.rxQueue, into: &sink)
    encode(.devices, into: &sink)
    encode(.channels, into: &sink)
    encode(.gpadls, into: &sink)
    encode(.fault, into: &sink)
    encode(.faultJustTraced, into: &sink)
    encode(.routeKnown, into: &sink)
    encode(.handling, into: &sink)
    encode(.announcedPost, into: &sink)
    encode(.awaiting, into: &sink)
    encode(.failureReply, into: &sink)
  }

  @inline(__always)
  private func encode(_ field: StateField, into sink: inout some StateEncodingSink) {
    guard sink.begin(field) else { return }
    switch field {
    case .profile: sink.write(profile.encodingTag.rawValue)
    case .machine:
      sink.write(machine != nil)
      if let machine {
        sink.write(machine.vcpuCount)
        sink.write(count: machine.vcpusWithoutSynIC.count)
        for vp in machine.vcpusWithoutSynIC { sink.write(vp) }
        sink.write(machine.qemuRelease.encodingTag.rawValue)
      }
    case .bus: sink.write(bus.rawValue)
    case .messageInFlight: sink.write(messageInFlight)
    case .pendingRuns: sink.write(UInt64(truncatingIfNeeded: pendingRuns))
    case .busNotifierSet: sink.write(busNotifierSet)
    case .version: sink.write(version.rawValue)
    case .targetVP: sink.write(targetVP)
    case .interruptPage: sink.write(interruptPage)
    case .rxQueue:
      sink.write(rxQueue.head)
      sink.write(count: rxQueue.count)
      for index in rxQueue.messages.indices { rxQueue.messages[index].encode(into: &sink) }
    case .devices:
      sink.write(count: devices.count)
      // Field by field through the subscript: copying a whole device (its name and lists)
      // per state cost the explorer a few percent.
      for index in devices.indices {
        sink.write(devices[index].pointer.rawValue)
        sink.write(devices[index].config != nil)
        if sink.takesConfiguration, let config = devices[index].config {
          config.encode(into: &sink)
        }
        sink.write(count: devices[index].channelIDs.count)
        for id in devices[index].channelIDs { sink.write(id.rawValue) }
      }
    case .channels:
      sink.write(count: channels.count)
      for index in channels.indices { channels[index].encode(into: &sink) }
    case .gpadls:
      sink.write(count: gpadls.count)
      for index in gpadls.indices { gpadls[index].encode(into: &sink) }
    case .fault:
      sink.write(fault != nil)
      if let fault { fault.encode(into: &sink) }
    case .faultJustTraced: sink.write(faultJustTraced)
    case .routeKnown: sink.write(routeKnown)
    case .handling:
      sink.write(handling != nil)
      if let handling { handling.encode(into: &sink) }
    case .announcedPost: sink.write(announcedPost?.rawValue)
    case .awaiting:
      sink.write(awaiting != nil)
      if let awaiting { awaiting.encode(into: &sink) }
    case .failureReply:
      sink.write(failureReply != nil)
      if let failureReply { failureReply.encode(into: &sink) }
    }
  }
}

extension DeviceConfig {
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(name)
    sink.write(classID)
    sink.write(instanceID)
    sink.write(channelCount)
    sink.write(channelFlags)
    sink.write(mmioSizeMB)
    sink.write(openHookFails)
  }

  /// A configuration hashed as the state encoding writes it, for a simulator that keeps
  /// configurations the host state's key leaves out (devices added during a run).
  package var explorationKey: UInt64 {
    var sink = ExplorationKeySink(hasher: WordHasher())
    encode(into: &sink)
    sink.flush()
    return sink.hasher.value
  }
}

extension QueuedMessage {
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(type.rawValue)
    sink.write(size)
    sink.write(payload != nil)
    if let payload { sink.write(bytes: payload) }
  }
}

extension Channel {
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(id.rawValue)
    sink.write(device.rawValue)
    sink.write(subchannelIndex)
    sink.write(offer.rawValue)
    switch state {
    case .initial:
      sink.write(ChannelState.EncodingTag.initial.rawValue)
    case .opening(let request, let hostOpen):
      sink.write(ChannelState.EncodingTag.opening.rawValue)
      request.encode(into: &sink)
      sink.write(hostOpen != nil)
      if let hostOpen { sink.write(hostOpen) }
    case .open(let request):
      sink.write(ChannelState.EncodingTag.open.rawValue)
      request.encode(into: &sink)
    }
  }
}

extension OpenRequest {
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(gpadlID.rawValue)
    sink.write(targetVP)
    sink.write(openID)
    sink.write(ringBufferOffset)
  }
}

extension Gpadl {
  func encode(into sink: inout some StateEncodingSink) {
    sink.write(id.rawValue)
    sink.write(childRelid?.rawValue)
    sink.write(numGfns)
    sink.write(seenGfns)
    sink.write(state.rawValue)
    sink.write(refcount)
    sink.write(isAssumed)
    sink.write(ringIndicesCorrupted)
  }
}

extension HostFault {
  func encode(into sink: inout some StateEncodingSink) {
    switch self {
    case .postWithoutRoute(let type):
      sink.write(EncodingTag.postWithoutRoute.rawValue)
      sink.write(type.rawValue)
    case .unknownVCPU(let vp):
      sink.write(EncodingTag.unknownVCPU.rawValue)
      sink.write(vp)
    case .bodyForFullGpadl(let id):
      sink.write(EncodingTag.bodyForFullGpadl.rawValue)
      sink.write(id.rawValue)
    case .callbackWithoutMessage:
      sink.write(EncodingTag.callbackWithoutMessage.rawValue)
    case .ringOffsetOutOfBounds(let id):
      sink.write(EncodingTag.ringOffsetOutOfBounds.rawValue)
      sink.write(id.rawValue)
    case .noObjectForBusState(let bus):
      sink.write(EncodingTag.noObjectForBusState.rawValue)
      sink.write(bus.rawValue)
    case .routeAliveAtSynICReset(let held):
      sink.write(EncodingTag.routeAliveAtSynICReset.rawValue)
      sink.write(held)
    case .migrationRouteFailed(let vp):
      sink.write(EncodingTag.migrationRouteFailed.rawValue)
      sink.write(vp)
    }
  }
}

extension TraceInference {
  func encode(into sink: inout some StateEncodingSink) {
    switch self {
    case .versionResponse:
      sink.write(EncodingTag.versionResponse.rawValue)
    case .gpadlCompletion(let id):
      sink.write(EncodingTag.gpadlCompletion.rawValue)
      sink.write(id.rawValue)
    case .teardownReply(let id):
      sink.write(EncodingTag.teardownReply.rawValue)
      sink.write(id.rawValue)
    case .openReply(let id, let learned):
      sink.write(EncodingTag.openReply.rawValue)
      sink.write(id.rawValue)
      sink.write(learned)
    }
  }
}

extension FailureReply {
  func encode(into sink: inout some StateEncodingSink) {
    switch self {
    case .gpadlRefused(let relid, let gpadl):
      sink.write(EncodingTag.gpadlRefused.rawValue)
      sink.write(relid.rawValue)
      sink.write(gpadl.rawValue)
    case .gpadlTorndown(let gpadl):
      sink.write(EncodingTag.gpadlTorndown.rawValue)
      sink.write(gpadl.rawValue)
    case .openRefused(let relid, let openID):
      sink.write(EncodingTag.openRefused.rawValue)
      sink.write(relid.rawValue)
      sink.write(openID)
    }
  }
}
