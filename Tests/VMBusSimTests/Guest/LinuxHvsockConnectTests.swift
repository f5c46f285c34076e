import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// `linux.hvsock_connect`: a guest process's `connect()` on an AF_VSOCK stream socket to the
/// host (net/vmw_vsock/af_vsock.c `vsock_connect` → hyperv_transport.c `hvs_connect` →
/// drivers/hv/channel.c `vmbus_send_tl_connect_request`). Any process may do it, once
/// hv_sock is loaded.
@Suite("LinuxGuestModel: hv_sock connect")
struct LinuxHvsockConnectTests {
  /// QEMU refuses every type from 18 on at the hypercall (`vmbus_recv_message`: status 3 after
  /// the trace); `vmbus_post_msg` does not retry that status, so the connect fails. The bus
  /// is as it was: the probe after it is answered in full.
  @Test(
    "vmbus_recv_message refuses TL_CONNECT_REQUEST: connect() fails, nothing else changes",
    arguments: ["qemu", "hardened"])
  func theHostRefusesTheRequest(profile: String) throws {
    let run = try LinuxGuestRun(
      LinuxGuestRun.yaml(
        devices: ["{class: hv-balloon}"], profile: profile,
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.hvsock_connect: {port: 22}", "linux.probe: {device: hv-balloon}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.linesWithoutBodies == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "TL_CONNECT_REQUEST !3",
        "GPADL_HEADER E1E10 relid 1 pages 10", "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5",
      ])
    let request = try #require(run.posts.first { $0.message.type == .tlConnectRequest })
    #expect(
      request.message.encoded()
        == TLConnectRequest(localPort: 1024, remotePort: 22).encoded())
    #expect(run.notes.contains("hvs_connect: hv_post_msg() failed: connect() returns -EINVAL"))
    #expect(
      run.run.events.contains(.trace(.recvMessage(type: .tlConnectRequest, size: 40))))
    #expect(run.received.last?.hasPrefix("OPENCHANNEL_RESULT") == true)
  }

  /// `hvs_init` registers the transport only when the bus runs 4.0 or above; a kernel
  /// connected at 3.0 has no hv_sock, so `vsock_connect` fails before anything is sent.
  @Test("hvs_init: below protocol 4.0 there is no hv_sock and nothing is sent")
  func noTransportBelowWin10() throws {
    let run = try LinuxGuestRun(
      LinuxGuestRun.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.hvsock_connect: {port: 22}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.linesWithoutBodies == ["INITIATE_CONTACT 3.0 conn 1", "REQUESTOFFERS"])
    #expect(
      run.notes.contains(
        "vsock_connect: hv_sock is not loaded below protocol 4.0: -ENODEV, nothing sent"))
  }
}
