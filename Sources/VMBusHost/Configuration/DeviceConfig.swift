import VMBusWire

/// A VMBus device as realized on the bus: what QEMU's device class and properties give it.
public struct DeviceConfig: Hashable, Sendable, Codable {
  /// A short name for transcripts (`netvsc`, `hv-balloon`, ...).
  public var name: String
  /// The class GUID, sent as the offer's interface type.
  public var classID: GUID
  /// The `instanceid` property, sent as the offer's interface instance.
  public var instanceID: GUID
  /// `num_channels`: the primary channel plus sub-channels.
  public var channelCount: UInt16
  /// The class's `channel_flags`, copied into every offer.
  public var channelFlags: UInt16
  /// The class's `mmio_size_mb`, copied into every offer.
  public var mmioSizeMB: UInt16
  /// Whether the class's `open_channel` hook refuses to open (the last step of a host open).
  public var openHookFails: Bool

  public init(
    name: String, classID: GUID, instanceID: GUID, channelCount: UInt16 = 1,
    channelFlags: UInt16 = 0, mmioSizeMB: UInt16 = 0, openHookFails: Bool = false
  ) {
    self.name = name
    self.classID = classID
    self.instanceID = instanceID
    self.channelCount = channelCount
    self.channelFlags = channelFlags
    self.mmioSizeMB = mmioSizeMB
    self.openHookFails = openHookFails
  }
}

/// Device classes whose GUIDs guests know.
public enum KnownDeviceClass: String, CaseIterable, Hashable, Sendable, Codable {
  /// Synthetic network adapter.
  case netvsc
  /// Synthetic SCSI controller.
  case storvsc
  /// Dynamic memory: QEMU's one upstream VMBus device.
  case hvBalloon = "hv-balloon"
  /// Key-value pair exchange.
  case kvp
  /// Heartbeat.
  case heartbeat
  /// Guest shutdown.
  case shutdown
  /// Time synchronization.
  case timesync

  /// The class GUID (the GUIDs Linux's `hyperv.h` lists). Parsed once: a Linux guest's
  /// driver matching asks for it at every probe of every run.
  public var classID: GUID { Self.classIDs[self] ?? .zero }

  private static let classIDs: [KnownDeviceClass: GUID] = Dictionary(
    uniqueKeysWithValues: allCases.map { ($0, GUID($0.classIDText) ?? .zero) })

  /// The class GUID in text form.
  private var classIDText: String {
    switch self {
    case .netvsc: "f8615163-df3e-46c5-913f-f2d2f965ed0e"
    case .storvsc: "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"
    case .hvBalloon: "525074dc-8985-46e2-8057-a307dc18a502"
    case .kvp: "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6"
    case .heartbeat: "57164f39-9115-4e78-ab55-382f3bd5422d"
    case .shutdown: "0e0b6031-5213-4934-818b-38d90ced39db"
    case .timesync: "9527e630-d0ae-497b-adce-e80ab0175caf"
    }
  }
}
