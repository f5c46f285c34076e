import Testing
import VMBusWire

@testable import VMBusHost

/// The canonical state encoding: total, lossless, and covering every stored property.
@Suite("State encoding")
struct StateEncodingTests {
  /// The stored properties of each state type, as the encoding covers them. A property added
  /// to one of these types fails ``everyPropertyIsEncoded`` until the encoding and this list
  /// take it.
  static let covered: [(String, any Sendable, [String])] = [
    // `objectWrites` counts writes for `FoldMonitor`: bookkeeping, not state, and not encoded.
    ("HostState", HostState(), StateField.allCases.map { "\($0)" } + ["objectWrites"]),
    (
      "MachineConfig", MachineConfig(vcpuCount: 1),
      ["vcpuCount", "vcpusWithoutSynIC", "qemuRelease"]
    ),
    ("RxQueue", RxQueue(), ["head", "messages"]),
    ("QueuedMessage", QueuedMessage(type: .unload, size: 8), ["type", "size", "payload"]),
    (
      "Device", Device(pointer: DevicePointer(rawValue: 1), config: nil, channelIDs: []),
      ["pointer", "config", "channelIDs"]
    ),
    (
      "DeviceConfig", DeviceConfig(name: "n", classID: .zero, instanceID: .zero),
      [
        "name", "classID", "instanceID", "channelCount", "channelFlags", "mmioSizeMB",
        "openHookFails",
      ]
    ),
    (
      "Channel", Channel(id: ChannelID(1), device: DevicePointer(rawValue: 1), subchannelIndex: 0),
      ["id", "device", "subchannelIndex", "offer", "state"]
    ),
    (
      "OpenRequest", OpenRequest(gpadlID: GpadlID(1), targetVP: 0),
      ["gpadlID", "targetVP", "openID", "ringBufferOffset"]
    ),
    (
      "Gpadl", Gpadl(id: GpadlID(1), childRelid: nil, numGfns: 1, seenGfns: nil),
      [
        "id", "childRelid", "numGfns", "seenGfns", "state", "refcount", "isAssumed",
        "ringIndicesCorrupted",
      ]
    ),
  ]

  @Test("every stored property of the state's types is in the encoding's field list")
  func everyPropertyIsEncoded() {
    for (name, value, fields) in Self.covered {
      let properties = Mirror(reflecting: value).children.compactMap(\.label)
      #expect(properties == fields, "\(name)")
    }
  }

  @Test("field tags are 1, 2, 3... in declaration order, and names are unique")
  func fieldTable() {
    #expect(StateField.allCases.map(\.rawValue) == Array(1...UInt8(StateField.allCases.count)))
    #expect(Set(StateField.allCases.map(\.name)).count == StateField.allCases.count)
  }

  @Test("random reducer states round-trip, re-encode byte for byte, and digest their bytes")
  func randomStatesRoundTrip() throws {
    var inputs = RandomInputs(seed: 7)
    var checked = 0
    for _ in 0..<300 {
      var state = HostState()
      for input in inputs.startInputs() { _ = HostModel.step(&state, input) }
      for _ in 0..<40 where state.isAlive {
        _ = HostModel.step(&state, inputs.input(for: state))
        try Self.expectRoundTrip(state)
        checked += 1
      }
    }
    #expect(checked > 5_000)
  }

  @Test("a state with every optional set and every list filled round-trips")
  func fullStateRoundTrips() throws {
    var state = HostState(
      profile: .hardened,
      machine: MachineConfig(vcpuCount: 4, vcpusWithoutSynIC: [1, 3], qemuRelease: .qemu51))
    state.bus = .openChannel
    state.messageInFlight = true
    state.pendingRuns = 3
    state.busNotifierSet = true
    state.version = .win10
    state.targetVP = 2
    state.interruptPage = 0xFFFF_0000_1234_5678
    state.devices = [
      Device(
        pointer: DevicePointer(rawValue: 0x5555_5600_0000),
        config: DeviceConfig(
          name: "nétvsc", classID: GUID(high: 1, low: 2), instanceID: GUID(high: 3, low: 4),
          channelCount: 2, channelFlags: 5, mmioSizeMB: 6, openHookFails: true),
        channelIDs: [ChannelID(1), ChannelID(2)])
    ]
    var channel = Channel(
      id: ChannelID(1), device: DevicePointer(rawValue: 0x5555_5600_0000), subchannelIndex: 1)
    channel.offer = .sent
    channel.state = .opening(
      OpenRequest(gpadlID: GpadlID(9), targetVP: 1, openID: 7, ringBufferOffset: 2),
      hostOpen: false)
    state.channels = [channel]
    var gpadl = Gpadl(id: GpadlID(9), childRelid: ChannelID(1), numGfns: 4, seenGfns: 2)
    gpadl.state = .tearingDown
    gpadl.refcount = 2
    gpadl.isAssumed = true
    gpadl.ringIndicesCorrupted = true
    state.gpadls = [gpadl]
    state.fault = .routeAliveAtSynICReset(heldByMessage: true)
    state.faultJustTraced = true
    state.handling = QueuedMessage(type: .openChannel, size: 148, payload: [1, 2, 3])
    state.announcedPost = .openChannelResult
    state.awaiting = .openReply(ChannelID(1), learned: true)
    state.failureReply = .openRefused(childRelid: ChannelID(1), openID: 7)
    try Self.expectRoundTrip(state)
    for fault in Self.faults {
      state.fault = fault
      try Self.expectRoundTrip(state)
    }
  }

  static let faults: [HostFault] = [
    .postWithoutRoute(.versionResponse), .unknownVCPU(9), .bodyForFullGpadl(GpadlID(1)),
    .callbackWithoutMessage, .ringOffsetOutOfBounds(ChannelID(2)),
    .noObjectForBusState(.teardownGpadl), .routeAliveAtSynICReset(heldByMessage: false),
  ]

  @Test("cut-off, corrupted and extended bytes give a typed error, never a trap")
  func garbageIsRefused() {
    var state = HostState(profile: .qemu, machine: MachineConfig(vcpuCount: 2))
    state.channels = [
      Channel(id: ChannelID(1), device: DevicePointer(rawValue: 1), subchannelIndex: 0)
    ]
    let bytes = state.canonicalBytes
    for length in 0..<bytes.count {
      #expect(throws: StateDecodingError.self) {
        try HostState(canonicalBytes: Array(bytes.prefix(length)))
      }
    }
    #expect(throws: StateDecodingError.trailingBytes(offset: bytes.count, count: 1)) {
      try HostState(canonicalBytes: bytes + [0])
    }
    #expect(throws: StateDecodingError.unsupportedVersion(1)) {
      try HostState(canonicalBytes: [1, 0] + bytes.dropFirst(2))
    }
    // Every single-byte corruption either decodes to some state or is refused.
    var generator = SplitMix(state: 42)
    for index in bytes.indices {
      var corrupted = bytes
      corrupted[index] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
      _ = try? HostState(canonicalBytes: corrupted)
    }
    for _ in 0..<2_000 {
      let length = Int(generator.next() % 200)
      let random = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      _ = try? HostState(canonicalBytes: [2, 0] + random)
    }
  }

  @Test("the layout of a small state, byte for byte (docs/state-encoding.md)")
  func knownLayout() {
    let bytes = HostState().canonicalBytes
    #expect(
      bytes == [
        2, 0,  // version 2
        1, 0,  // profile: qemu
        2, 0,  // machine: none
        3, 0,  // bus: listen
        4, 0,  // message_in_flight: false
        5, 0, 0, 0, 0, 0, 0, 0, 0,  // pending_runs: 0
        6, 0,  // bus_notifier_set
        7, 0, 0, 0, 0,  // version: none
        8, 0xFF, 0xFF, 0xFF, 0xFF,  // target_vp: none
        9, 0, 0, 0, 0, 0, 0, 0, 0,  // interrupt_page
        10, 0, 0, 0, 0, 0,  // rx_queue: head 0, no messages
        11, 0, 0, 0, 0,  // devices
        12, 0, 0, 0, 0,  // channels
        13, 0, 0, 0, 0,  // gpadls
        14, 0,  // fault
        15, 0,  // fault_just_traced
        16, 0,  // route_known
        17, 0,  // handling
        18, 0,  // announced_post
        19, 0,  // awaiting
        20, 0,  // failure_reply
      ])
    #expect(HostState().digest.hex == "\(Self.fnv(bytes))")
  }

  static func fnv(_ bytes: [UInt8]) -> String {
    var digest = StableDigest()
    for byte in bytes { digest.mix(byte) }
    return digest.hex
  }

  static func expectRoundTrip(_ state: HostState, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let bytes = state.canonicalBytes
    let decoded = try HostState(canonicalBytes: bytes)
    #expect(decoded == state, sourceLocation: sourceLocation)
    #expect(decoded.canonicalBytes == bytes, sourceLocation: sourceLocation)
    #expect(state.digest.hex == fnv(bytes), sourceLocation: sourceLocation)
    var appended: [UInt8] = [0xAA]
    state.encode(appendingTo: &appended)
    #expect(appended == [0xAA] + bytes, sourceLocation: sourceLocation)
  }
}

/// SplitMix64, for garbage bytes.
private struct SplitMix {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
