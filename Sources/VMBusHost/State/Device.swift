import VMBusWire

/// A device on the bus and the relids of its channels, in index order.
public struct Device: Hashable, Sendable, Codable {
  /// The device's identity in traces (QEMU prints the object's address).
  public var pointer: DevicePointer
  /// Its configuration; nil for a device known only from a bare trace's offers.
  public var config: DeviceConfig?
  /// Its channels' relids, primary first.
  public var channelIDs: [ChannelID]

  public init(pointer: DevicePointer, config: DeviceConfig?, channelIDs: [ChannelID]) {
    self.pointer = pointer
    self.config = config
    self.channelIDs = channelIDs
  }

  /// The pointer the simulator gives the device realized `index`-th: stable across runs,
  /// shaped like a heap address so exported traces look like QEMU's.
  public static func simulatedPointer(index: Int) -> DevicePointer {
    DevicePointer(rawValue: 0x5555_5600_0000 &+ UInt64(truncatingIfNeeded: index) &* 0x1000)
  }
}
