/// CLOSECHANNEL (7), guest to host: closes a channel; QEMU sends no reply.
public struct CloseChannel: RelidMessage {
  public static let type = MessageType.closeChannel

  /// The channel to close (offset 8).
  public var childRelid: ChannelID

  /// Creates a message from its fields.
  public init(childRelid: ChannelID) {
    self.childRelid = childRelid
  }
}
