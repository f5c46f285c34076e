/// RELID_RELEASED (13), guest to host: releases a rescinded relid; QEMU drops it as unknown.
public struct RelidReleased: RelidMessage {
  public static let type = MessageType.relidReleased

  /// The released relid (offset 8).
  public var childRelid: ChannelID

  /// Creates a message from its fields.
  public init(childRelid: ChannelID) {
    self.childRelid = childRelid
  }
}
