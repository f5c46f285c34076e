/// TL_CONNECT_REQUEST (21), guest to host: a guest socket asks to reach a host service over
/// hv_sock (Linux's `vmbus_send_tl_connect_request`, struct
/// `vmbus_channel_tl_connect_request`). QEMU knows no such type and refuses the hypercall.
public struct TLConnectRequest: WireMessage {
  public static let type = MessageType.tlConnectRequest
  /// The header, then two GUIDs.
  public static let structSize = 40

  /// hv_sock's service-id template (`srv_id_template`, net/vmw_vsock/hyperv_transport.c):
  /// a vsock port takes the place of its first field.
  public static let serviceTemplate = GUID(high: 0x0000_0000_FACB_11E6, low: 0xBD58_6400_6A79_86D3)

  /// The guest's end (offset 8, mixed-endian on the wire).
  public var guestEndpointID: GUID
  /// The host service asked for (offset 24, mixed-endian on the wire).
  public var hostServiceID: GUID

  /// Creates a message from its fields.
  public init(guestEndpointID: GUID, hostServiceID: GUID) {
    self.guestEndpointID = guestEndpointID
    self.hostServiceID = hostServiceID
  }

  /// The request `hvs_connect` makes for a socket bound to vsock port `localPort` that
  /// connects to the host's `remotePort`.
  public init(localPort: UInt32, remotePort: UInt32) {
    self.init(
      guestEndpointID: Self.serviceID(port: localPort),
      hostServiceID: Self.serviceID(port: remotePort))
  }

  /// The service id of vsock port `port`: the template with the port as its first field.
  public static func serviceID(port: UInt32) -> GUID {
    GUID(high: UInt64(port) << 32 | serviceTemplate.high & 0xFFFF_FFFF, low: serviceTemplate.low)
  }

  public func encoded() -> [UInt8] {
    var payload = Self.emptyPayload()
    payload.replaceSubrange(8..<24, with: guestEndpointID.wireBytes)
    payload.replaceSubrange(24..<40, with: hostServiceID.wireBytes)
    return payload
  }

  public init(decoding payload: [UInt8]) throws(WireError) {
    let fields = try FieldReader(payload, as: Self.type, minimum: Self.structSize)
    guestEndpointID = GUID(wireBytes: try fields.bytes(at: 8, count: 16)) ?? .zero
    hostServiceID = GUID(wireBytes: try fields.bytes(at: 24, count: 16)) ?? .zero
  }
}
