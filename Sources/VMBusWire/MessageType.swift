/// Channel message type number (u32 at payload offset 0). Open: unknown numbers stay representable.
public struct MessageType: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible
{
  /// The type number as it appears on the wire.
  public var rawValue: UInt32

  /// Creates a type from its wire number.
  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// Creates a type from its wire number.
  public init(_ rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// Number of types QEMU defines (VMBUS_MSG_COUNT); 0 is INVALID.
  public static let qemuCount: UInt32 = 18

  /// Whether QEMU defines this type (1...17; 0 is INVALID and rejected at the hypercall).
  public var isKnownToQEMU: Bool { rawValue >= 1 && rawValue < Self.qemuCount }

  /// The QEMU name (Linux name for 18...24), or `TYPE_<n>` for numbers neither defines.
  public var name: String {
    let index = Int(rawValue)
    return rawValue < UInt32(Self.names.count) ? Self.names[index] : "TYPE_\(rawValue)"
  }

  /// The name followed by the number, e.g. `INITIATE_CONTACT (14)`.
  public var description: String { "\(name) (\(rawValue))" }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MessageType {
  /// Type 0: never valid; rejected at the hypercall.
  public static let invalid = Self(0)
  /// Type 1, host to guest: offers one channel.
  public static let offerChannel = Self(1)
  /// Type 2, host to guest: withdraws an offer (QEMU never sends it).
  public static let rescindChannelOffer = Self(2)
  /// Type 3, guest to host: asks for the channel offers.
  public static let requestOffers = Self(3)
  /// Type 4, host to guest: ends the list of offers.
  public static let allOffersDelivered = Self(4)
  /// Type 5, guest to host: opens a channel on a ring-buffer GPADL.
  public static let openChannel = Self(5)
  /// Type 6, host to guest: the outcome of an open.
  public static let openChannelResult = Self(6)
  /// Type 7, guest to host: closes a channel (no reply).
  public static let closeChannel = Self(7)
  /// Type 8, guest to host: starts a GPADL with its range and first PFNs.
  public static let gpadlHeader = Self(8)
  /// Type 9, guest to host: carries more PFNs of a GPADL.
  public static let gpadlBody = Self(9)
  /// Type 10, host to guest: confirms a complete GPADL.
  public static let gpadlCreated = Self(10)
  /// Type 11, guest to host: asks to tear a GPADL down.
  public static let gpadlTeardown = Self(11)
  /// Type 12, host to guest: confirms a GPADL teardown.
  public static let gpadlTorndown = Self(12)
  /// Type 13, guest to host: releases a rescinded relid (QEMU drops it as unknown).
  public static let relidReleased = Self(13)
  /// Type 14, guest to host: starts version negotiation.
  public static let initiateContact = Self(14)
  /// Type 15, host to guest: accepts or refuses the requested version.
  public static let versionResponse = Self(15)
  /// Type 16, guest to host: disconnects from the bus.
  public static let unload = Self(16)
  /// Type 17, host to guest: confirms the unload.
  public static let unloadResponse = Self(17)
  /// Type 18: Linux's CHANNELMSG_18, unused.
  public static let message18 = Self(18)
  /// Type 19: Linux's CHANNELMSG_19, unused.
  public static let message19 = Self(19)
  /// Type 20: Linux's CHANNELMSG_20, unused.
  public static let message20 = Self(20)
  /// Type 21, guest to host: hv_sock connect request (not in QEMU).
  public static let tlConnectRequest = Self(21)
  /// Type 22, guest to host: retargets a channel's interrupts (not in QEMU).
  public static let modifyChannel = Self(22)
  /// Type 23, host to guest: hv_sock connect result (not in QEMU).
  public static let tlConnectResult = Self(23)
  /// Type 24, host to guest: answers MODIFYCHANNEL (not in QEMU).
  public static let modifyChannelResponse = Self(24)

  /// Names of types 0...24: QEMU's `VMBUS_MSG_*` suffixes, then Linux's `CHANNELMSG_*` ones.
  static let names: [String] = [
    "INVALID", "OFFERCHANNEL", "RESCIND_CHANNELOFFER", "REQUESTOFFERS", "ALLOFFERS_DELIVERED",
    "OPENCHANNEL", "OPENCHANNEL_RESULT", "CLOSECHANNEL", "GPADL_HEADER", "GPADL_BODY",
    "GPADL_CREATED", "GPADL_TEARDOWN", "GPADL_TORNDOWN", "RELID_RELEASED", "INITIATE_CONTACT",
    "VERSION_RESPONSE", "UNLOAD", "UNLOAD_RESPONSE", "CHANNELMSG_18", "CHANNELMSG_19",
    "CHANNELMSG_20", "TL_CONNECT_REQUEST", "MODIFYCHANNEL", "TL_CONNECT_RESULT",
    "MODIFYCHANNEL_RESPONSE",
  ]
}
