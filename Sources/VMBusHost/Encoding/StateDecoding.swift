import VMBusWire

/// Why bytes are not a canonical state encoding.
public enum StateDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The bytes end inside a value that starts at `offset`.
  case truncated(offset: Int)
  /// The bytes carry an encoding version this build does not read.
  case unsupportedVersion(UInt16)
  /// A top-level field's tag is not the next one in ``StateField`` order.
  case unexpectedField(offset: Int, expected: UInt8, found: UInt8)
  /// A value has a tag its table does not list (`what` names the table).
  case unknownTag(offset: Int, what: String, tag: UInt8)
  /// A string is not UTF-8.
  case invalidText(offset: Int)
  /// Bytes follow the last field.
  case trailingBytes(offset: Int, count: Int)

  public var description: String {
    switch self {
    case .truncated(let offset): "state encoding: cut off at byte \(offset)"
    case .unsupportedVersion(let version):
      "state encoding: version \(version), this build reads version \(StateEncoding.version)"
    case .unexpectedField(let offset, let expected, let found):
      "state encoding: byte \(offset): expected field tag \(expected), found \(found)"
    case .unknownTag(let offset, let what, let tag):
      "state encoding: byte \(offset): unknown \(what) tag \(tag)"
    case .invalidText(let offset): "state encoding: byte \(offset): text is not UTF-8"
    case .trailingBytes(let offset, let count):
      "state encoding: \(count) bytes after the last field at byte \(offset)"
    }
  }
}

extension HostState {
  /// Decodes ``canonicalBytes``; any other bytes give a typed error, never a trap.
  public init(canonicalBytes bytes: [UInt8]) throws(StateDecodingError) {
    var reader = StateReader(bytes: bytes)
    let version = try reader.u16()
    guard version == StateEncoding.version else { throw .unsupportedVersion(version) }
    self.init()
    for field in StateField.inOrder {
      let offset = reader.offset
      let tag = try reader.u8()
      guard tag == field.rawValue else {
        throw .unexpectedField(offset: offset, expected: field.rawValue, found: tag)
      }
      try decode(field, from: &reader)
    }
    guard reader.offset == bytes.count else {
      throw .trailingBytes(offset: reader.offset, count: bytes.count - reader.offset)
    }
  }

  private mutating func decode(_ field: StateField, from reader: inout StateReader)
    throws(StateDecodingError)
  {
    switch field {
    case .profile: profile = HostProfile(try reader.tag(HostProfile.EncodingTag.self, "profile"))
    case .machine:
      machine = try reader.optional { reader throws(StateDecodingError) in
        let vcpuCount = try reader.u32()
        let withoutSynIC = try reader.list { reader throws(StateDecodingError) in try reader.u32() }
        let release = QEMURelease(try reader.tag(QEMURelease.EncodingTag.self, "qemu release"))
        return MachineConfig(
          vcpuCount: vcpuCount, vcpusWithoutSynIC: withoutSynIC, qemuRelease: release)
      }
    case .bus: bus = try reader.tag(BusState.self, "bus state")
    case .messageInFlight: messageInFlight = try reader.bool()
    case .pendingRuns: pendingRuns = Int(truncatingIfNeeded: try reader.u64())
    case .busNotifierSet: busNotifierSet = try reader.bool()
    case .version: version = ProtocolVersion(rawValue: try reader.u32())
    case .targetVP: targetVP = try reader.u32()
    case .interruptPage: interruptPage = try reader.u64()
    case .rxQueue:
      let head = try reader.u8()
      let messages = try reader.list { reader throws(StateDecodingError) in
        try QueuedMessage(from: &reader)
      }
      rxQueue = RxQueue(head: head, messages: messages)
    case .devices:
      devices = try reader.list { reader throws(StateDecodingError) in try Device(from: &reader) }
    case .channels:
      channels = try reader.list { reader throws(StateDecodingError) in try Channel(from: &reader) }
    case .gpadls:
      gpadls = try reader.list { reader throws(StateDecodingError) in try Gpadl(from: &reader) }
    case .fault:
      fault = try reader.optional { reader throws(StateDecodingError) in
        try HostFault(from: &reader)
      }
    case .faultJustTraced: faultJustTraced = try reader.bool()
    case .routeKnown: routeKnown = try reader.bool()
    case .handling:
      handling = try reader.optional { reader throws(StateDecodingError) in
        try QueuedMessage(from: &reader)
      }
    case .announcedPost: announcedPost = try reader.optionalU32().map(MessageType.init(rawValue:))
    case .awaiting:
      awaiting = try reader.optional { reader throws(StateDecodingError) in
        try TraceInference(from: &reader)
      }
    case .failureReply:
      failureReply = try reader.optional { reader throws(StateDecodingError) in
        try FailureReply(from: &reader)
      }
    }
  }
}

extension QueuedMessage {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    let type = MessageType(rawValue: try reader.u32())
    let size = try reader.u32()
    let payload = try reader.optional { reader throws(StateDecodingError) in try reader.byteString()
    }
    self.init(type: type, size: size, payload: payload)
  }
}

extension Device {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    let pointer = DevicePointer(rawValue: try reader.u64())
    let config = try reader.optional { reader throws(StateDecodingError) in
      DeviceConfig(
        name: try reader.text(), classID: try reader.guid(), instanceID: try reader.guid(),
        channelCount: try reader.u16(), channelFlags: try reader.u16(),
        mmioSizeMB: try reader.u16(), openHookFails: try reader.bool())
    }
    let ids = try reader.list { reader throws(StateDecodingError) in ChannelID(try reader.u32()) }
    self.init(pointer: pointer, config: config, channelIDs: ids)
  }
}

extension Channel {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    self.init(
      id: ChannelID(try reader.u32()), device: DevicePointer(rawValue: try reader.u64()),
      subchannelIndex: try reader.u16())
    offer = try reader.tag(OfferState.self, "offer state")
    switch try reader.tag(ChannelState.EncodingTag.self, "channel state") {
    case .initial: state = .initial
    case .opening:
      let request = try OpenRequest(from: &reader)
      let hostOpen = try reader.optional { reader throws(StateDecodingError) in
        try reader.bool()
      }
      state = .opening(request, hostOpen: hostOpen)
    case .open: state = .open(try OpenRequest(from: &reader))
    }
  }
}

extension OpenRequest {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    self.init(
      gpadlID: GpadlID(try reader.u32()), targetVP: try reader.u32(),
      openID: try reader.optionalU32(), ringBufferOffset: try reader.optionalU32())
  }
}

extension Gpadl {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    self.init(
      id: GpadlID(try reader.u32()), childRelid: try reader.optionalU32().map { ChannelID($0) },
      numGfns: try reader.u32(), seenGfns: try reader.optionalU32())
    state = try reader.tag(GpadlState.self, "gpadl state")
    refcount = try reader.u32()
    isAssumed = try reader.bool()
    ringIndicesCorrupted = try reader.bool()
  }
}

extension HostFault {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    switch try reader.tag(EncodingTag.self, "host fault") {
    case .postWithoutRoute: self = .postWithoutRoute(MessageType(rawValue: try reader.u32()))
    case .unknownVCPU: self = .unknownVCPU(try reader.u32())
    case .bodyForFullGpadl: self = .bodyForFullGpadl(GpadlID(try reader.u32()))
    case .callbackWithoutMessage: self = .callbackWithoutMessage
    case .ringOffsetOutOfBounds: self = .ringOffsetOutOfBounds(ChannelID(try reader.u32()))
    case .noObjectForBusState:
      self = .noObjectForBusState(try reader.tag(BusState.self, "bus state"))
    case .routeAliveAtSynICReset: self = .routeAliveAtSynICReset(heldByMessage: try reader.bool())
    case .migrationRouteFailed: self = .migrationRouteFailed(try reader.u32())
    }
  }
}

extension TraceInference {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    switch try reader.tag(EncodingTag.self, "trace inference") {
    case .versionResponse: self = .versionResponse
    case .gpadlCompletion: self = .gpadlCompletion(GpadlID(try reader.u32()))
    case .teardownReply: self = .teardownReply(GpadlID(try reader.u32()))
    case .openReply: self = .openReply(ChannelID(try reader.u32()), learned: try reader.bool())
    }
  }
}

extension FailureReply {
  init(from reader: inout StateReader) throws(StateDecodingError) {
    switch try reader.tag(EncodingTag.self, "failure reply") {
    case .gpadlRefused:
      self = .gpadlRefused(
        childRelid: ChannelID(try reader.u32()), gpadlID: GpadlID(try reader.u32()))
    case .gpadlTorndown: self = .gpadlTorndown(GpadlID(try reader.u32()))
    case .openRefused:
      self = .openRefused(childRelid: ChannelID(try reader.u32()), openID: try reader.u32())
    }
  }
}

/// Reads the encoding's values from bytes, bounds-checked.
struct StateReader {
  let bytes: [UInt8]
  private(set) var offset = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func u8() throws(StateDecodingError) -> UInt8 {
    guard offset < bytes.count else { throw .truncated(offset: offset) }
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func u16() throws(StateDecodingError) -> UInt16 { try integer() }
  mutating func u32() throws(StateDecodingError) -> UInt32 { try integer() }
  mutating func u64() throws(StateDecodingError) -> UInt64 { try integer() }

  mutating func bool() throws(StateDecodingError) -> Bool {
    let start = offset
    switch try u8() {
    case 0: return false
    case 1: return true
    case let tag: throw .unknownTag(offset: start, what: "bool", tag: tag)
    }
  }

  /// A value of an enum whose raw values are the tags.
  mutating func tag<T: RawRepresentable<UInt8>>(_ type: T.Type, _ what: String)
    throws(StateDecodingError) -> T
  {
    let start = offset
    let raw = try u8()
    guard let value = T(rawValue: raw) else {
      throw .unknownTag(offset: start, what: what, tag: raw)
    }
    return value
  }

  mutating func optional<T>(_ read: (inout StateReader) throws(StateDecodingError) -> T)
    throws(StateDecodingError) -> T?
  {
    try bool() ? try read(&self) : nil
  }

  mutating func optionalU32() throws(StateDecodingError) -> UInt32? {
    try optional { reader throws(StateDecodingError) in try reader.u32() }
  }

  /// A u32 count, then that many values.
  mutating func list<T>(_ read: (inout StateReader) throws(StateDecodingError) -> T)
    throws(StateDecodingError) -> [T]
  {
    let count = try self.count()
    var values: [T] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try read(&self)) }
    return values
  }

  mutating func byteString() throws(StateDecodingError) -> [UInt8] {
    let count = try self.count()
    defer { offset += count }
    return Array(bytes[offset..<offset + count])
  }

  mutating func text() throws(StateDecodingError) -> String {
    let start = offset
    guard let text = String(validating: try byteString(), as: UTF8.self) else {
      throw .invalidText(offset: start)
    }
    return text
  }

  mutating func guid() throws(StateDecodingError) -> GUID {
    GUID(high: try u64(), low: try u64())
  }

  /// A u32 count no larger than the bytes left, since every value takes at least one byte
  /// (so garbage cannot ask for a huge allocation).
  private mutating func count() throws(StateDecodingError) -> Int {
    let start = offset
    let count = Int(try u32())
    guard count <= bytes.count - offset else { throw .truncated(offset: start) }
    return count
  }

  private mutating func integer<T: FixedWidthInteger>() throws(StateDecodingError) -> T {
    let size = T.bitWidth / 8
    guard bytes.count - offset >= size else { throw .truncated(offset: offset) }
    var value: T = 0
    for index in 0..<size {
      value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
    }
    offset += size
    return value
  }
}
