/// RESCIND_CHANNELOFFER (2), host to guest: withdraws an offer; defined but never sent by QEMU.
public struct RescindChannelOffer: RelidMessage {
  public static let type = MessageType.rescindChannelOffer

  /// The withdrawn channel (offset 8).
  public var childRelid: ChannelID

  /// Creates a message from its fields.
  public init(childRelid: ChannelID) {
    self.childRelid = childRelid
  }
}
