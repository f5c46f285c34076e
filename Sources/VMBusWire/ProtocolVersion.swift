/// VMBus protocol version: u32 = major << 16 | minor, text "major.minor".
public struct ProtocolVersion: RawRepresentable, Hashable, Sendable, Codable, Comparable,
  CustomStringConvertible, LosslessStringConvertible
{
  /// The version as it appears on the wire.
  public var rawValue: UInt32

  /// Creates a version from its wire value.
  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// Creates a version from its two components.
  public init(major: UInt16, minor: UInt16) {
    self.rawValue = UInt32(major) << 16 | UInt32(minor)
  }

  /// The high 16 bits.
  public var major: UInt16 {
    get { UInt16(truncatingIfNeeded: rawValue >> 16) }
    set { rawValue = UInt32(newValue) << 16 | (rawValue & 0xFFFF) }
  }

  /// The low 16 bits.
  public var minor: UInt16 {
    get { UInt16(truncatingIfNeeded: rawValue) }
    set { rawValue = (rawValue & 0xFFFF_0000) | UInt32(newValue) }
  }

  /// Parses `major.minor`: two ASCII decimal numbers that each fit a u16.
  public init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, let major = Self.component(parts[0]),
      let minor = Self.component(parts[1])
    else { return nil }
    self.init(major: major, minor: minor)
  }

  /// The version as `major.minor`, as QEMU's trace prints it.
  public var description: String { "\(major).\(minor)" }

  /// Whether QEMU answers `version_supported = 1`: its range test `0 < version <= 4.0`.
  public var isSupportedByQEMU: Bool {
    rawValue > 0 && rawValue <= Self.qemuCurrent.rawValue
  }

  /// Whether QEMU adopts the INITIATE_CONTACT interrupt page (versions below WIN8).
  public var usesInterruptPage: Bool { rawValue < Self.win8.rawValue }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

  private static func component(_ text: Substring) -> UInt16? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return UInt16(text)
  }
}

extension ProtocolVersion {
  /// Windows Server 2008, 0.13.
  public static let ws2008 = Self(major: 0, minor: 13)
  /// Windows 7, 1.1.
  public static let win7 = Self(major: 1, minor: 1)
  /// Windows 8, 2.4.
  public static let win8 = Self(major: 2, minor: 4)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Windows 8.1, 3.0.
  public static let win8_1 = Self(major: 3, minor: 0)
  /// Windows 10, 4.0: QEMU's VMBUS_VERSION_CURRENT.
  public static let win10 = Self(major: 4, minor: 0)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Windows 10 v4.1 (Linux only; QEMU refuses it).
  public static let win10v4_1 = Self(major: 4, minor: 1)
  /// Windows 10 v5.0 (Linux only; sent on connection id 4, which QEMU does not handle).
  public static let win10v5 = Self(major: 5, minor: 0)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Windows 10 v5.1 (Linux only).
  public static let win10v5_1 = Self(major: 5, minor: 1)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Windows 10 v5.2 (Linux only).
  public static let win10v5_2 = Self(major: 5, minor: 2)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// Windows 10 v5.3 (Linux only).
  public static let win10v5_3 = Self(major: 5, minor: 3)
  /// Windows 10 v6.0 (Linux only).
  public static let win10v6 = Self(major: 6, minor: 0)
  /// The newest version QEMU accepts (VMBUS_VERSION_CURRENT = WIN10).
  public static let qemuCurrent = win10
}
