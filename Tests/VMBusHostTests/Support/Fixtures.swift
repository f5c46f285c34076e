import VMBusWire

@testable import VMBusHost

/// Machines, devices and ids the host tests share.
enum Fixtures {
  /// Two vCPUs with SynIC: VP 0 and VP 1 exist, VP 2 and above do not.
  static let machine = MachineConfig(vcpuCount: 2)

  /// The same two vCPUs, but VP 1 has no SynIC, so a route to it fails cleanly.
  static let machineWithoutSynICOnVP1 = MachineConfig(vcpuCount: 2, vcpusWithoutSynIC: [1])

  /// QEMU's one upstream VMBus device: hv-balloon, one channel.
  static let balloon = DeviceConfig(
    name: "hv-balloon", classID: KnownDeviceClass.hvBalloon.classID,
    instanceID: GUID(high: 0x1111_1111_1111_4111, low: 0x8111_1111_1111_1111))

  /// A synthetic network adapter with a primary channel and one sub-channel.
  static let netvsc = DeviceConfig(
    name: "netvsc", classID: KnownDeviceClass.netvsc.classID,
    instanceID: GUID(high: 0x2222_2222_2222_4222, low: 0x8222_2222_2222_2222), channelCount: 2)

  /// The relid the first realized channel takes.
  static let firstChannel = ChannelID(1)

  /// The ring GPADL the tests open channels on.
  static let ringGpadl = GpadlID(0x100)

  /// Pages of the ring GPADL: 2 for the guest-to-host ring, 2 for the host-to-guest ring.
  static let ringPages = 4

  /// The ring offset that splits ``ringPages`` into two rings of two pages.
  static let ringOffset: UInt32 = 2

  /// The open id the tests send (echoed in OPENCHANNEL_RESULT).
  static let openID: UInt32 = 0x0BAD_CAFE

  /// `count` distinct page frame numbers starting at `first`.
  static func pfns(_ count: Int, from first: UInt64 = 0x1000) -> [UInt64] {
    (0..<UInt64(count)).map { first + $0 }
  }

  /// The GPADL_HEADER Linux sends for a page-aligned GPADL of `pages` pages (at most 26 PFNs
  /// fit; the rest would follow in bodies).
  static func gpadlHeader(
    id: GpadlID = ringGpadl, pages: Int = ringPages, childRelid: ChannelID = firstChannel
  ) -> ChannelMessage {
    .gpadlHeader(.pageAligned(childRelid: childRelid, gpadlID: id, pfns: pfns(pages)))
  }

  /// An OPENCHANNEL with the tests' defaults: relid 1 on the ring GPADL, two rings of two
  /// pages, notified on VP 0.
  static func openChannel(
    _ channel: ChannelID = firstChannel, gpadl: GpadlID = ringGpadl,
    ringBufferOffset: UInt32 = ringOffset, targetVP: UInt32 = 0, openID: UInt32 = openID
  ) -> ChannelMessage {
    .openChannel(
      OpenChannel(
        childRelid: channel, openID: openID, ringBufferGpadlID: gpadl, targetVP: targetVP,
        ringBufferOffset: ringBufferOffset))
  }

  /// The request QEMU stores on the channel for ``openChannel(_:gpadl:ringBufferOffset:targetVP:openID:)``.
  static func openRequest(
    gpadl: GpadlID = ringGpadl, ringBufferOffset: UInt32 = ringOffset, targetVP: UInt32 = 0,
    openID: UInt32 = openID
  ) -> OpenRequest {
    OpenRequest(
      gpadlID: gpadl, targetVP: targetVP, openID: openID, ringBufferOffset: ringBufferOffset)
  }
}
