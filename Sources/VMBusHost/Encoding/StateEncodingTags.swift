import VMBusWire

// The tags of the canonical state encoding for the enums it holds: each case's number is
// written once, here (docs/state-encoding.md). A shipped tag is never renumbered or reused;
// Swift names may change freely. Enums whose raw values are QEMU's own numbers (`BusState`,
// `OfferState`, `GpadlState`) are encoded by raw value instead.

extension HostProfile {
  /// The profile's tag.
  enum EncodingTag: UInt8 {
    case qemu = 0
    case hardened = 1
  }

  var encodingTag: EncodingTag {
    switch self {
    case .qemu: .qemu
    case .hardened: .hardened
    }
  }

  init(_ tag: EncodingTag) {
    switch tag {
    case .qemu: self = .qemu
    case .hardened: self = .hardened
    }
  }
}

extension QEMURelease {
  /// The release's tag.
  enum EncodingTag: UInt8 {
    case current = 0
    case qemu51 = 1
    case qemu71 = 2
  }

  var encodingTag: EncodingTag {
    switch self {
    case .current: .current
    case .qemu51: .qemu51
    case .qemu71: .qemu71
    }
  }

  init(_ tag: EncodingTag) {
    switch tag {
    case .current: self = .current
    case .qemu51: self = .qemu51
    case .qemu71: self = .qemu71
    }
  }
}

extension ChannelState {
  /// The case's tag; its payload follows.
  enum EncodingTag: UInt8 {
    case initial = 0
    case opening = 1
    case open = 2
  }
}

extension HostFault {
  /// The case's tag; its payload follows.
  enum EncodingTag: UInt8 {
    case postWithoutRoute = 1
    case unknownVCPU = 2
    case bodyForFullGpadl = 3
    case callbackWithoutMessage = 4
    case ringOffsetOutOfBounds = 5
    case noObjectForBusState = 6
    case routeAliveAtSynICReset = 7
    case migrationRouteFailed = 8
  }
}

extension TraceInference {
  /// The case's tag; its payload follows.
  enum EncodingTag: UInt8 {
    case versionResponse = 1
    case gpadlCompletion = 2
    case teardownReply = 3
    case openReply = 4
  }
}

extension FailureReply {
  /// The case's tag; its payload follows.
  enum EncodingTag: UInt8 {
    case gpadlRefused = 1
    case gpadlTorndown = 2
    case openRefused = 3
  }
}
