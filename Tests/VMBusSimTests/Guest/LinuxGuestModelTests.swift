import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// The Linux guest model (`Sources/VMBusSim/Guest/Linux`), one behaviour of Linux 6.x's
/// `drivers/hv` and its drivers per test, checked message for message against QEMU's host:
/// the messages the simulated guest posts (types, GPADL ids, relids, PFNs, connection ids and
/// hypercall statuses), the replies it takes, and how the run ends. Each test is named after
/// the Linux function it mirrors and the file that holds it.
@Suite("LinuxGuestModel")
struct LinuxGuestModelTests {
  typealias Run = LinuxGuestRun

  /// The walk of the 6.12 table against QEMU: 5.x on connection 4, refused by the hypercall
  /// (HV_STATUS_INVALID_CONNECTION_ID, no retry for INITIATE_CONTACT); 4.1 refused by QEMU;
  /// 4.0 accepted.
  static let walk612 = [
    "INITIATE_CONTACT 5.3 conn 4 !18", "INITIATE_CONTACT 5.2 conn 4 !18",
    "INITIATE_CONTACT 5.1 conn 4 !18", "INITIATE_CONTACT 5.0 conn 4 !18",
    "INITIATE_CONTACT 4.1 conn 1", "INITIATE_CONTACT 4.0 conn 1",
  ]

  // MARK: connection.c

  /// `vmbus_connect` / `vmbus_negotiate_version` (drivers/hv/connection.c): `vmbus_versions`
  /// newest first; from VERSION_WIN10_V5 on the request goes to VMBUS_MESSAGE_CONNECTION_ID_4
  /// with msg_sint = VMBUS_MESSAGE_SINT (2) where the interrupt page was; below it to
  /// connection 1 with `int_page`; both carry the two monitor pages and VMBUS_CONNECT_CPU.
  @Test("vmbus_connect (connection.c): 6.12 walks 5.3 … 4.0, 5.x on connection 4 with msg_sint 2")
  func vmbusConnectWalksTheVersionTable() throws {
    let run = try Run(
      Run.yaml(devices: ["{class: hv-balloon}"], steps: ["linux.connect", "linux.request_offers"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.lines == Self.walk612 + ["REQUESTOFFERS"])
    #expect(
      run.received.prefix(2) == [
        "VERSION_RESPONSE version_supported 0", "VERSION_RESPONSE version_supported 1",
      ])
    let contacts = run.posts.compactMap {
      if case .initiateContact(let m) = $0.message { m } else { nil }
    }
    try #require(contacts.count == 6)
    for contact in contacts {
      #expect(contact.monitorPage1 == 0x7E000 && contact.monitorPage2 == 0x7F000)
      #expect(contact.targetVCPU == 0)
      let modern = contact.versionRequested >= .win10v5
      #expect(contact.interruptPage == (modern ? 2 : 0x7D000), "\(contact.versionRequested)")
    }
  }

  /// `vmbus_versions` (drivers/hv/connection.c): the Confidential VMBus series put
  /// VERSION_WIN10_V6_0 first for 6.19; 6.12 starts at 5.3. Either way the walk ends at the
  /// first version QEMU accepts, 4.0.
  @Test(
    "vmbus_versions (connection.c): 7.2 asks 6.0 first, 6.12 starts at 5.3",
    arguments: [("6.12", "5.3"), ("7.2", "6.0")])
  func vmbusVersionsByKernel(kernel: String, first: String) throws {
    let run = try Run(
      Run.yaml(devices: ["{class: hv-balloon}"], kernel: kernel, steps: ["linux.connect"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.lines.first == "INITIATE_CONTACT \(first) conn 4 !18")
    #expect(run.lines.suffix(2) == ["INITIATE_CONTACT 4.1 conn 1", "INITIATE_CONTACT 4.0 conn 1"])
    #expect(run.lines.count == (kernel == "7.2" ? 7 : 6))
  }

  /// `vmbus_onversion_response` (drivers/hv/channel_mgmt.c) completes the INITIATE_CONTACTs
  /// linked in `chn_msg_list` when it arrives, and nothing else: a VERSION_RESPONSE that came
  /// before `vmbus_negotiate_version` linked its request is dropped, and cannot answer it.
  /// Here the stale reply accepts 4.0; had it answered the 4.1 request, 4.0 would not follow.
  @Test(
    "vmbus_onversion_response (channel_mgmt.c): a reply that matched no linked request is dropped")
  func vmbusOnversionResponseDropsAStaleReply() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          "send: {type: INITIATE_CONTACT, version_requested: 4.0}", "wait: VERSION_RESPONSE",
          #"linux.connect: {versions: ["4.1", "4.0"]}"#, "linux.request_offers",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "INITIATE_CONTACT 4.1 conn 1", "INITIATE_CONTACT 4.0 conn 1",
        "REQUESTOFFERS",
      ])
    #expect(
      run.received.prefix(3) == [
        "VERSION_RESPONSE version_supported 1", "VERSION_RESPONSE version_supported 0",
        "VERSION_RESPONSE version_supported 1",
      ])
  }

  // MARK: channel_mgmt.c: requests and unload

  /// `vmbus_request_offers` (drivers/hv/channel_mgmt.c) from 113386ca981c (6.14) waits up to
  /// 60 s on `all_offers_delivered_event`, which `vmbus_onoffers_delivered` completes with
  /// `complete()` and nothing re-arms: an ALLOFFERS_DELIVERED that came with nobody waiting
  /// ends the next wait at once. With the message page down the answer never comes: without
  /// a leftover the wait runs its 60 s.
  @Test(
    "vmbus_request_offers (channel_mgmt.c): 6.14 waits 60 s; a leftover completion ends the wait at once"
  )
  func vmbusRequestOffersWaitsAndKeepsALeftoverCompletion() throws {
    let fresh = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"], kernel: "6.14",
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "teardown_message_page", "linux.request_offers",
        ]))
    #expect(fresh.outcome.kind == .passed, "\(fresh.outcome)")
    #expect(fresh.lines == ["INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS"])
    #expect(fresh.notes.last == "no ALLOFFERS_DELIVERED within the wait: going on")
    #expect(fresh.run.endTime >= .seconds(60) && fresh.run.endTime < .seconds(61))

    let leftover = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"], kernel: "6.14",
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "send: REQUESTOFFERS",
          "wait: ALLOFFERS_DELIVERED", "teardown_message_page", "linux.request_offers",
        ]))
    #expect(leftover.outcome.kind == .passed, "\(leftover.outcome)")
    #expect(leftover.lines == ["INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "REQUESTOFFERS"])
    #expect(leftover.run.endTime < .seconds(1))
    #expect(!leftover.notes.contains { $0.contains("within the wait") })
  }

  /// `vmbus_request_offers` (drivers/hv/channel_mgmt.c) before 6.14 only posts: the next
  /// request goes out whatever the host sends back.
  @Test("vmbus_request_offers (channel_mgmt.c): 6.12 does not wait for ALLOFFERS_DELIVERED")
  func vmbusRequestOffersBefore614DoesNotWait() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "teardown_message_page", "linux.request_offers",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.lines == ["INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS"])
    #expect(run.run.endTime < .seconds(1))
  }

  /// `vmbus_initiate_unload` (drivers/hv/channel_mgmt.c): `reinit_completion(&unload_event)`
  /// before the post, so an UNLOAD_RESPONSE from an earlier UNLOAD does not end the wait;
  /// `wait_for_completion` has no timeout, so when the answer cannot be delivered the guest
  /// waits for ever.
  @Test(
    "vmbus_initiate_unload (channel_mgmt.c): reinit_completion before UNLOAD, then an unbounded wait"
  )
  func vmbusInitiateUnloadReArmsItsCompletion() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "send: UNLOAD", "wait: UNLOAD_RESPONSE",
          #"linux.connect: {versions: ["4.0"]}"#, "teardown_message_page", "linux.unload",
        ]))
    #expect(run.outcome.kind == .guestHang, "\(run.outcome)")
    #expect(run.outcome.message.contains("boot waits for UNLOAD_RESPONSE"), "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "UNLOAD", "INITIATE_CONTACT 4.0 conn 1", "UNLOAD",
      ])
  }

  /// `vmbus_initiate_unload` (drivers/hv/channel_mgmt.c): `xchg(conn_state, DISCONNECTED)`
  /// lets one call per kernel through; the second returns without sending anything.
  @Test("vmbus_initiate_unload (channel_mgmt.c): UNLOAD at most once per kernel")
  func vmbusInitiateUnloadOncePerKernel() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [#"linux.connect: {versions: ["4.0"]}"#, "linux.unload", "linux.unload"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.lines == ["INITIATE_CONTACT 4.0 conn 1", "UNLOAD"])
    #expect(run.received == ["VERSION_RESPONSE version_supported 1", "UNLOAD_RESPONSE"])
    #expect(
      run.notes.contains(
        "vmbus_initiate_unload: the connection is already DISCONNECTED, nothing sent"))
  }

  /// `vmbus_initiate_unload` (drivers/hv/channel_mgmt.c): "Pre-Win2012R2 hosts don't support
  /// reconnect": below VERSION_WIN8_1 it returns before posting.
  @Test("vmbus_initiate_unload (channel_mgmt.c): nothing is sent when WIN8 (2.4) was negotiated")
  func vmbusInitiateUnloadBelowWin81SendsNothing() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [#"linux.connect: {versions: ["2.4"]}"#, "linux.unload"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.lines == ["INITIATE_CONTACT 2.4 conn 1"])
    #expect(run.notes.contains("vmbus_initiate_unload: version 2.4 has no UNLOAD, none sent"))
  }

  // MARK: channel.c: open, close and GPADLs

  /// `create_gpadl_header` (drivers/hv/channel.c): 26 PFNs in the GPADL_HEADER (one range,
  /// offset 0, `range_buflen` = 8 + 8 × pages), then GPADL_BODY messages of 28 with PFN
  /// `pfnsum + i`, so the pages continue where the previous message stopped.
  @Test("create_gpadl_header (channel.c): 26 PFNs in the header, then 28 per body, consecutive")
  func createGpadlHeaderSplitsConsecutivePFNs() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.open: {device: storvsc}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 64",
        "GPADL_BODY E1E10 pfns 28", "GPADL_BODY E1E10 pfns 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 32",
      ])
    let header = try #require(run.header(ofGpadl: 0xE1E10))
    #expect(header.rangeCount == 1 && header.byteOffset == 0)
    #expect(header.rangeBufferLength == 8 + 8 * 64)
    #expect(header.byteCount == 64 * 4096)
    #expect(header.pfns == expectedFrames(gpadl: 0xE1E10, pages: 26))
    #expect(run.bodies(ofGpadl: 0xE1E10).map(\.messageNumber) == [0, 0])
    #expect(run.pfns(ofGpadl: 0xE1E10) == expectedFrames(gpadl: 0xE1E10, pages: 64))
    #expect(run.pfns(ofGpadl: 0xE1E10).first == 0x1E20_0000)
  }

  /// `__vmbus_open` (drivers/hv/channel.c): a non-zero OPENCHANNEL_RESULT status is -EAGAIN,
  /// which goes through `error_free_info` to `error_free_gpadl`: the ring GPADL is torn down
  /// and the channel is back in CHANNEL_OPEN_STATE, so the next open takes the next id.
  @Test("__vmbus_open (channel.c): a refused open tears its ring GPADL down (error_free_gpadl)")
  func vmbusOpenRefusedTearsTheRingDown() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon, open_fails: true}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.open: {device: hv-balloon, expect_status: 1}",
          "linux.open: {device: hv-balloon, expect_status: 1}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5", "GPADL_TEARDOWN relid 1 gpadl E1E10",
        "GPADL_HEADER E1E11 relid 1 pages 10", "OPENCHANNEL relid 1 gpadl E1E11 vp 0 offset 5",
        "GPADL_TEARDOWN relid 1 gpadl E1E11",
      ])
    #expect(run.received.filter { $0.hasPrefix("OPENCHANNEL_RESULT") }.count == 2)
    #expect(run.received.last == "GPADL_TORNDOWN gpadl 925201")
  }

  /// `__vmbus_open` (drivers/hv/channel.c): a failed OPENCHANNEL post goes to
  /// `error_clean_msglist`, which falls through `error_free_info` to `error_free_gpadl`, the
  /// same teardown as a refused open. QEMU cannot fail that one post while it answers the
  /// GPADL before it, so this reads the compiled `linux.open`: both failure edges lead to the
  /// ring's GPADL_TEARDOWN before anything else is posted.
  @Test("__vmbus_open (channel.c): a failed OPENCHANNEL post leads to the ring teardown")
  func vmbusOpenFailedPostTearsTheRingDown() throws {
    let scenario = try ScenarioParser.parse(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [#"linux.connect: {versions: ["4.0"]}"#, "linux.open: {device: hv-balloon}"]),
      file: "linux-test.yaml")
    let ops = try #require(PreparedScenario(scenario).programs.first).ops
    let channel = DeviceChannel("hv-balloon")
    let open = try #require(
      ops.firstIndex {
        if case .linux(.postOpen(channel, _, _)) = $0 { true } else { false }
      })
    guard case .linux(.postOpen(_, _, let onFailure)) = ops[open] else {
      Issue.record("no OPENCHANNEL post")
      return
    }
    // The refused reply's edge, after the wait for OPENCHANNEL_RESULT.
    let refused = try #require(
      ops[open...].firstNonNil {
        if case .linux(.jumpIfReplyFailed(let target)) = $0 { target } else { nil }
      })
    #expect(refused == onFailure)
    guard case .linux(.postTeardown(let purpose, _)) = Self.nextPost(in: ops, from: onFailure)
    else {
      Issue.record("no GPADL_TEARDOWN follows the failed OPENCHANNEL")
      return
    }
    #expect(purpose == GpadlPurpose(channel, .ring))
  }

  /// `vmbus_close` → `vmbus_disconnect_ring` (drivers/hv/channel.c): the primary's
  /// sub-channels in `sc_list` order (offer order) are closed first, each CLOSECHANNEL then
  /// its ring's teardown, the primary last; `vmbus_close` of a sub-channel alone is refused
  /// (`primary_channel != NULL`: -EINVAL) and sends nothing.
  @Test(
    "vmbus_disconnect_ring (channel.c): sub-channels 1, 2 then the primary; a sub-channel alone sends nothing"
  )
  func vmbusCloseClosesSubchannelsFirst() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: netvsc, channels: 3}"], vcpus: 4,
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.open: {device: netvsc}", "linux.open: {device: netvsc, subchannel: 1}",
          "linux.open: {device: netvsc, subchannel: 2}",
          "linux.close: {device: netvsc, subchannel: 1}", "linux.close: {device: netvsc}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let opens = run.linesWithoutBodies.filter { $0.hasPrefix("OPENCHANNEL") }
    #expect(
      opens == [
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 128",
        "OPENCHANNEL relid 2 gpadl E1E11 vp 1 offset 128",
        "OPENCHANNEL relid 3 gpadl E1E12 vp 2 offset 128",
      ])
    let lastOpen = try #require(run.linesWithoutBodies.lastIndex(of: opens[2]))
    #expect(
      Array(run.linesWithoutBodies[(lastOpen + 1)...]) == [
        "CLOSECHANNEL relid 2", "GPADL_TEARDOWN relid 2 gpadl E1E11", "CLOSECHANNEL relid 3",
        "GPADL_TEARDOWN relid 3 gpadl E1E12", "CLOSECHANNEL relid 1",
        "GPADL_TEARDOWN relid 1 gpadl E1E10",
      ])
    #expect(run.notes.contains("vmbus_close of netvsc sub-channel 1: a sub-channel, -EINVAL"))
  }

  /// `vmbus_close_internal` (drivers/hv/channel.c): a channel not in CHANNEL_OPENED_STATE
  /// returns -EINVAL before CLOSECHANNEL; no teardown either.
  @Test("vmbus_close_internal (channel.c): closing a channel that is not OPENED sends nothing")
  func vmbusCloseInternalOfAClosedChannel() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.close: {device: hv-balloon}", "linux.open: {device: hv-balloon}",
          "linux.close: {device: hv-balloon}", "linux.close: {device: hv-balloon}", "linux.unload",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5", "CLOSECHANNEL relid 1",
        "GPADL_TEARDOWN relid 1 gpadl E1E10", "UNLOAD",
      ])
  }

  /// `__vmbus_establish_gpadl` (drivers/hv/channel.c): a non-zero `creation_status` in
  /// GPADL_CREATED is -EDQUOT; `__vmbus_open` then goes to `error_clean_ring`, which tears
  /// nothing down and posts nothing more. The hardened host refuses a GPADL id already in
  /// use, here one a raw header took first.
  @Test("__vmbus_establish_gpadl (channel.c): a failed GPADL_CREATED is -EDQUOT, nothing more sent")
  func vmbusEstablishGpadlRefused() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"], profile: "hardened",
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "send: {type: GPADL_HEADER, gpadl_id: 0xE1E10, child_relid: relid(hv-balloon), pages: 1, pfn_count: 1}",
          "wait: {for: GPADL_CREATED}", "linux.probe: {device: hv-balloon}", "linux.unload",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 1",
        "GPADL_HEADER E1E10 relid 1 pages 10", "UNLOAD",
      ])
    #expect(run.received.contains("GPADL_CREATED gpadl 925200 relid 1 status 2147549183"))
  }

  // MARK: channel.c's failed posts, on a stalled QEMU queue

  /// A QEMU whose rx queue stopped being served (a fatal -6 delivery reset the bus without
  /// `vmbus_resched`, scenarios/regressions/qemu-guest_hang-msg_cb.fatal_without_resched.yaml)
  /// and holds `queued` messages, then `steps`: once the 16 slots are full, every post gets
  /// HV_STATUS_INSUFFICIENT_BUFFERS, and `vmbus_post_msg` gives up after 100 attempts.
  static func stalled(queued: Int, open: Bool, kernel: String = "6.12", then steps: [String])
    -> String
  {
    Run.yaml(
      devices: ["{class: hv-balloon}"], kernel: kernel,
      steps: [#"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers: {wait: false}"]
        + (open ? ["linux.open: {device: hv-balloon}"] : [])
        + [
          "teardown_message_page", "send: REQUESTOFFERS", "send: REQUESTOFFERS", "sleep: 1ms",
          "restore_message_page",
        ] + Array(repeating: "send: REQUESTOFFERS", count: queued - 1) + steps)
  }

  /// Whether the queue stalled with every filler in it: the `queued + 2` REQUESTOFFERS before
  /// the call under test all went in (one from `linux.request_offers`, two around the fatal
  /// delivery, the fillers), and at least 100 posts then found the queue full.
  static func isStalled(queued: Int) -> (Run) -> Bool {
    { run in
      run.posts.filter { $0.message == .requestOffers && $0.status == .success }.count
        == queued + 2 && run.posts.filter { $0.status == .insufficientBuffers }.count >= 100
    }
  }

  /// `vmbus_close_internal` (drivers/hv/channel.c): a failed CLOSECHANNEL post ("it is
  /// perhaps better to leak memory") skips the ring's teardown.
  @Test("vmbus_close_internal (channel.c): a failed CLOSECHANNEL post skips the GPADL teardown")
  func vmbusCloseInternalFailedPost() throws {
    let yaml = Self.stalled(queued: 16, open: true, then: ["linux.close: {device: hv-balloon}"])
    let run = try #require(
      try Run.firstRun(yaml, where: Self.isStalled(queued: 16)), "no seed stalled the queue")
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let linux = run.lines(of: "boot").filter { !$0.hasPrefix("REQUESTOFFERS") }
    #expect(
      linux == [
        "INITIATE_CONTACT 4.0 conn 1", "GPADL_HEADER E1E10 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5",
      ] + Array(repeating: "CLOSECHANNEL relid 1 !19", count: 100))
  }

  /// `vmbus_teardown_gpadl` (drivers/hv/channel.c): a failed GPADL_TEARDOWN post goes to
  /// `post_msg_err` without `wait_for_completion`: the close returns and the guest goes on.
  @Test("vmbus_teardown_gpadl (channel.c): a failed GPADL_TEARDOWN post does not wait")
  func vmbusTeardownGpadlFailedPost() throws {
    let yaml = Self.stalled(
      queued: 15, open: true, then: ["linux.close: {device: hv-balloon}", "linux.unload"])
    let run = try #require(
      try Run.firstRun(yaml, where: Self.isStalled(queued: 15)), "no seed stalled the queue")
    let linux = run.lines(of: "boot").filter { !$0.hasPrefix("REQUESTOFFERS") }
    #expect(
      linux == [
        "INITIATE_CONTACT 4.0 conn 1", "GPADL_HEADER E1E10 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5", "CLOSECHANNEL relid 1",
      ] + Array(repeating: "GPADL_TEARDOWN relid 1 gpadl E1E10 !19", count: 100)
        + Array(repeating: "UNLOAD !19", count: 100))
    // The UNLOAD's result is ignored and its wait has no timeout: the guest hangs there,
    // not on the teardown.
    #expect(run.outcome.kind == .guestHang, "\(run.outcome)")
    #expect(run.outcome.message.contains("UNLOAD_RESPONSE"), "\(run.outcome)")
  }

  /// `vmbus_request_offers` (drivers/hv/channel_mgmt.c, 6.14): a failed REQUESTOFFERS post
  /// goes to `cleanup` and skips the 60 s wait.
  @Test("vmbus_request_offers (channel_mgmt.c): a failed REQUESTOFFERS post does not wait")
  func vmbusRequestOffersFailedPost() throws {
    let yaml = Self.stalled(
      queued: 16, open: true, kernel: "6.14", then: ["linux.request_offers"])
    let run = try #require(
      try Run.firstRun(yaml, where: Self.isStalled(queued: 16)), "no seed stalled the queue")
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let failed = run.posts.filter { $0.status != .success }
    #expect(failed.count == 100)
    #expect(failed.allSatisfy { $0.message == .requestOffers && $0.status == .insufficientBuffers })
    // `vmbus_post_msg`'s back-off: 1 µs doubling to 2^21 µs, 100 attempts in all.
    let last = try #require(failed.last)
    let lastTime = run.run.transcript[last.entry].time
    #expect(run.run.endTime < lastTime + .seconds(1))
    #expect(!run.notes.contains { $0.contains("within the wait") })
  }

  // MARK: Drivers

  /// `netvsc_probe` → `netvsc_device_add` (drivers/net/hyperv/netvsc.c): `vmbus_open` with
  /// `netvsc_ring_bytes` = VMBUS_RING_SIZE(128 pages) each way (since b8209544296e, in 6.9
  /// and the stable trees, a payload of 32 KiB or more holds its header page: 256 pages), then
  /// `netvsc_init_buf`: the receive buffer (NETVSC_RECEIVE_BUFFER_DEFAULT, 16 MiB: 4096 pages,
  /// one header and 146 bodies), then the send buffer (170 sections of 6144 bytes rounded up
  /// to pages: 255). `netvsc_device_remove` on 4.0 closes first, then tears both down.
  @Test("netvsc_device_add/netvsc_device_remove (netvsc.c): ring 256, receive 4096, send 255 pages")
  func netvscProbeAndRemove() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: netvsc}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: netvsc}", "linux.remove: {device: netvsc}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.linesWithoutBodies == [
        "INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 256",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 128", "GPADL_HEADER E1E11 relid 1 pages 4096",
        "GPADL_HEADER E1E12 relid 1 pages 255", "CLOSECHANNEL relid 1",
        "GPADL_TEARDOWN relid 1 gpadl E1E10", "GPADL_TEARDOWN relid 1 gpadl E1E11",
        "GPADL_TEARDOWN relid 1 gpadl E1E12",
      ])
    #expect(run.bodies(ofGpadl: 0xE1E10).count == 9)
    let receive = run.bodies(ofGpadl: 0xE1E11)
    #expect(receive.count == 146)
    #expect(receive.dropLast().allSatisfy { $0.pfns.count == 28 })
    #expect(receive.last?.pfns.count == 10)
    #expect(run.pfns(ofGpadl: 0xE1E11) == expectedFrames(gpadl: 0xE1E11, pages: 4096))
    #expect(run.bodies(ofGpadl: 0xE1E12).map(\.pfns.count) == Array(repeating: 28, count: 8) + [5])
    #expect(run.pfns(ofGpadl: 0xE1E12) == expectedFrames(gpadl: 0xE1E12, pages: 255))
    // The send buffer's header waits for the receive buffer's GPADL_CREATED.
    let created = try #require(run.entry(containing: "GPADL_CREATED gpadl 925201"))
    let sendHeader = try #require(
      run.posts.first { Run.line($0) == "GPADL_HEADER E1E12 relid 1 pages 255" })
    #expect(created < sendHeader.entry)
  }

  /// `netvsc_device_remove` (drivers/net/hyperv/netvsc.c): below VERSION_WIN10 the receive
  /// and send buffers' GPADLs are torn down before `vmbus_close`.
  @Test("netvsc_device_remove (netvsc.c): below 4.0 the buffers go before the close")
  func netvscRemoveBeforeWin10() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: netvsc}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.probe: {device: netvsc}", "linux.remove: {device: netvsc}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      Array(run.linesWithoutBodies.suffix(4)) == [
        "GPADL_TEARDOWN relid 1 gpadl E1E11", "GPADL_TEARDOWN relid 1 gpadl E1E12",
        "CLOSECHANNEL relid 1", "GPADL_TEARDOWN relid 1 gpadl E1E10",
      ])
  }

  /// `hv_balloon`'s `balloon_probe` (`dm_ring_size` = VMBUS_RING_SIZE(16 KiB): below 32 KiB
  /// the header page is added, 5 pages a ring) and `hv_util_probe` (HV_UTIL_RING_SEND_SIZE = HV_UTIL_RING_RECV_SIZE =
  /// VMBUS_RING_SIZE(3 pages): 4 pages a ring); `downstream_ringbuffer_pageoffset` is the send
  /// ring's size.
  @Test("balloon_probe (hv_balloon.c) and hv_util_probe (hv_util.c): rings of 10 and 8 pages")
  func balloonAndUtilRingSizes() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}", "{class: kvp}", "{class: heartbeat}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.probe: {device: kvp}",
          "linux.probe: {device: heartbeat}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      Array(run.lines.dropFirst(2)) == [
        "GPADL_HEADER E1E10 relid 1 pages 10", "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5",
        "GPADL_HEADER E1E11 relid 2 pages 8", "OPENCHANNEL relid 2 gpadl E1E11 vp 0 offset 4",
        "GPADL_HEADER E1E12 relid 3 pages 8", "OPENCHANNEL relid 3 gpadl E1E12 vp 0 offset 4",
      ])
  }

  /// `init_vp_index` (drivers/hv/channel_mgmt.c): a channel of a device that is not
  /// `perf_device` in `vmbus_devs` goes to VMBUS_CONNECT_CPU (0); the channels of netvsc and
  /// storvsc take the CPUs round robin in offer order, starting over once all are taken.
  @Test("init_vp_index (channel_mgmt.c): perf channels round robin in offer order, others on CPU 0")
  func initVpIndex() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: netvsc, channels: 3}", "{class: hv-balloon}", "{class: storvsc}"],
        vcpus: 2,
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.open: {device: storvsc}", "linux.open: {device: hv-balloon}",
          "linux.open: {device: netvsc, subchannel: 2}", "linux.open: {device: netvsc}",
          "linux.open: {device: netvsc, subchannel: 1}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    // Offers come in relid order: netvsc 1-3, hv-balloon 4, storvsc 5.
    #expect(
      run.lines.filter { $0.hasPrefix("OPENCHANNEL") } == [
        "OPENCHANNEL relid 5 gpadl E1E10 vp 1 offset 32",
        "OPENCHANNEL relid 4 gpadl E1E11 vp 0 offset 5",
        "OPENCHANNEL relid 3 gpadl E1E12 vp 0 offset 128",
        "OPENCHANNEL relid 1 gpadl E1E13 vp 0 offset 128",
        "OPENCHANNEL relid 2 gpadl E1E14 vp 1 offset 128",
      ])
  }

  /// The driver core's asynchronous probing (`probe: auto`): storvsc's and netvsc's probes run
  /// concurrently, each `__vmbus_establish_gpadl` taking the next id from the one
  /// `next_gpadl_handle` when it starts, so under some schedule their ids interleave. Under
  /// every schedule each id is taken once, from 0xE1E10 up.
  @Test("__vmbus_establish_gpadl (channel.c): concurrent probes share next_gpadl_handle")
  func concurrentProbesInterleaveGpadlIds() throws {
    let yaml = Run.yaml(
      devices: ["{class: netvsc}", "{class: storvsc}"], autoProbe: true,
      steps: ["linux.connect", "linux.request_offers"])
    let scenario = try ScenarioParser.parse(yaml, file: "linux-test.yaml")
    let prepared = PreparedScenario(scenario)
    var interleaved: Run?
    for seed in 0..<60 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed, transcript: true))
      #expect(run.outcome.kind == .passed, "seed \(seed): \(run.outcome)")
      let headers = run.posts.compactMap { posted -> (String, UInt32)? in
        guard case .gpadlHeader(let m) = posted.message else { return nil }
        return (posted.actor, m.gpadlID.rawValue)
      }
      // Taken in one order, posted in another: the id is taken before the header is built.
      #expect(headers.map(\.1).sorted() == [0xE1E10, 0xE1E11, 0xE1E12, 0xE1E13], "seed \(seed)")
      #expect(headers.filter { $0.0 == "probe-netvsc" }.count == 3)
      let storvsc = headers.first { $0.0 == "probe-storvsc" }?.1 ?? 0
      if storvsc == 0xE1E11 || storvsc == 0xE1E12 { interleaved = interleaved ?? run }
    }
    let run = try #require(interleaved, "no schedule interleaved the probes' GPADL ids")
    #expect(run.lines(of: "probe-storvsc").count == 2)
    #expect(run.lines(of: "probe-netvsc").first == "GPADL_HEADER E1E10 relid 1 pages 256")
  }

  // MARK: Kernel lifetimes

  /// `hv_kexec_handler` (drivers/hv/vmbus_drv.c), from `hv_machine_shutdown` during kexec:
  /// `vmbus_initiate_unload(false)` only, nothing closed or torn down. The new kernel starts
  /// from scratch: the whole version walk again, `next_gpadl_handle` from 0xE1E10.
  @Test(
    "hv_kexec_handler (vmbus_drv.c): UNLOAD only; the new kernel walks the table and restarts ids at 0xE1E10"
  )
  func hvKexecHandler() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}", "{class: hv-balloon}"], autoProbe: true,
        steps: ["linux.connect", "linux.request_offers", "sleep: 1s", "linux.kexec"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let unload = try #require(run.posts.firstIndex { $0.message == .unload })
    let before = run.posts[..<unload].map(Run.line)
    let after = run.posts[(unload + 1)...].filter { $0.message.type != .gpadlBody }.map(Run.line)
    #expect(before.filter { $0.hasPrefix("OPENCHANNEL") }.count == 2)
    #expect(run.posts.filter { $0.message == .unload }.count == 1)
    #expect(!run.lines.contains { $0.hasPrefix("CLOSECHANNEL") || $0.hasPrefix("GPADL_TEARDOWN") })
    #expect(Array(after.prefix(7)) == Self.walk612 + ["REQUESTOFFERS"])
    let headers = after.filter { $0.hasPrefix("GPADL_HEADER") }.sorted()
    #expect(
      headers == ["GPADL_HEADER E1E10 relid 1 pages 64", "GPADL_HEADER E1E11 relid 2 pages 10"]
        || headers == [
          "GPADL_HEADER E1E10 relid 2 pages 10", "GPADL_HEADER E1E11 relid 1 pages 64",
        ])
    let restart = try #require(run.entry(containing: "a new kernel starts"))
    #expect(run.posts[unload].entry < restart && restart < run.posts[unload + 1].entry)
  }

  /// `device_shutdown` (drivers/base/core.c) before `hv_kexec_handler`: `wait_for_device_probe`
  /// then `device_block_probing`, so no probe straddles the kernel restart. Under every
  /// schedule, a probe that posted before the UNLOAD had its OPENCHANNEL_RESULT before it, and
  /// no probe posts between the UNLOAD and the new kernel. (6.14: `vmbus_request_offers`
  /// returns after the offers, so the probes can be under way when kexec starts.)
  @Test("device_shutdown (drivers/base/core.c): kexec waits for the probes under way")
  func kexecWaitsForProbesUnderWay() throws {
    let yaml = Run.yaml(
      devices: ["{class: storvsc}", "{class: hv-balloon}"], kernel: "6.14", autoProbe: true,
      steps: ["linux.connect", "linux.request_offers", "linux.kexec"])
    let prepared = PreparedScenario(try ScenarioParser.parse(yaml, file: "linux-test.yaml"))
    var probedBefore = 0
    for seed in 0..<40 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      #expect(run.outcome.kind == .passed, "seed \(seed): \(run.outcome)")
      let unload = try #require(run.posts.first { $0.message == .unload })
      let restart = try #require(run.entry(containing: "a new kernel starts"))
      #expect(
        !run.posts.contains { $0.actor != "boot" && $0.entry > unload.entry && $0.entry < restart })
      for actor in ["probe-storvsc", "probe-hv-balloon"] {
        let early = run.posts.filter { $0.actor == actor && $0.entry < unload.entry }
        guard let last = early.last else { continue }
        probedBefore += 1
        guard case .openChannel(let open) = last.message else {
          Issue.record("seed \(seed): \(actor) stopped at \(Run.line(last)) before the UNLOAD")
          continue
        }
        let result = run.run.transcript.firstIndex {
          $0.text.hasPrefix("OPENCHANNEL_RESULT relid \(open.childRelid.rawValue) ")
        }
        #expect(result.map { $0 < unload.entry } ?? false, "seed \(seed): \(actor)")
      }
    }
    // Some schedules did probe before the kexec.
    #expect(probedBefore > 0)
  }

  /// `hv_crash_handler` (drivers/hv/vmbus_drv.c): `vmbus_initiate_unload(true)` posts UNLOAD
  /// and polls the message pages in `vmbus_wait_for_unload` for up to 100 s
  /// (UNLOAD_WAIT_MS), then the kdump kernel boots as a fresh kernel. Here the UNLOAD_RESPONSE
  /// cannot be delivered (the message page is gone), so the poll runs out.
  @Test(
    "hv_crash_handler/vmbus_wait_for_unload (vmbus_drv.c, channel_mgmt.c): kdump polls 100 s, then a fresh kernel"
  )
  func hvCrashHandlerPollsThenBootsAFreshKernel() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"], autoProbe: true,
        steps: [
          "linux.connect", "linux.request_offers", "sleep: 1s", "teardown_message_page",
          "linux.kdump",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let unload = try #require(run.posts.firstIndex { $0.message == .unload })
    #expect(
      run.posts[..<unload].filter { $0.message.type != .gpadlBody }.map(Run.line) == Self.walk612
        + [
          "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 64",
          "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 32",
        ])
    let restart = try #require(run.entry(containing: "a new kernel starts"))
    let sent = run.run.transcript[run.posts[unload].entry].time
    let restarted = run.run.transcript[restart].time
    #expect(restarted >= sent + .seconds(100) && restarted < sent + .seconds(101), "\(restarted)")
    #expect(
      run.posts[(unload + 1)...].filter { $0.message.type != .gpadlBody }.map(Run.line)
        == Self.walk612 + [
          "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 64",
          "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 32",
        ])
  }

  /// `vmbus_wait_for_unload` (drivers/hv/channel_mgmt.c) completes on the UNLOAD_RESPONSE it
  /// finds in the message page and goes on at once, without the channel's close; the kdump
  /// kernel then opens storvsc again with GPADL id 0xE1E10.
  @Test(
    "vmbus_wait_for_unload (channel_mgmt.c): kdump goes on as soon as UNLOAD_RESPONSE is polled")
  func vmbusWaitForUnloadCompletes() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"], autoProbe: true,
        steps: ["linux.connect", "linux.request_offers", "sleep: 1s", "linux.kdump"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(!run.lines.contains { $0.hasPrefix("CLOSECHANNEL") })
    let unload = try #require(run.posts.firstIndex { $0.message == .unload })
    let restart = try #require(run.entry(containing: "a new kernel starts"))
    let response = try #require(
      run.run.transcript.firstIndex { $0.direction == .hostToGuest && $0.text == "UNLOAD_RESPONSE" }
    )
    #expect(run.posts[unload].entry < response && response < restart)
    #expect(run.run.transcript[restart].time < run.run.transcript[response].time + .seconds(1))
    #expect(
      run.posts[(unload + 1)...].filter { $0.message.type == .gpadlHeader }.map(Run.line) == [
        "GPADL_HEADER E1E10 relid 1 pages 64"
      ])
  }

  /// `vmbus_bus_suspend` / `vmbus_bus_resume` (drivers/hv/vmbus_drv.c) around the drivers'
  /// freeze and resume callbacks (6.14): hv_balloon, registered last, closes first, then
  /// netvsc closes and tears its ring and buffers down, UNLOAD; resume negotiates `vmbus_proto_version` only, asks for the
  /// offers and waits for ALLOFFERS_DELIVERED, and the drivers open again with GPADL ids that
  /// carry on (the image's `next_gpadl_handle`).
  @Test(
    "vmbus_bus_suspend/vmbus_bus_resume (vmbus_drv.c): close, UNLOAD, saved version only, ids carry on"
  )
  func hibernationSuspendAndResume() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: netvsc}", "{class: hv-balloon}"], kernel: "6.14", autoProbe: true,
        steps: ["linux.connect", "linux.request_offers", "linux.hibernate"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let boot = run.lines(of: "boot")
    let walk = Self.walk612 + ["REQUESTOFFERS"]
    #expect(Array(boot.prefix(7)) == walk)
    // Probes: netvsc 0xE1E10 (ring) and 0xE1E11-12 (buffers), hv-balloon the other, in
    // either order.
    let probed = run.posts.filter {
      $0.actor.hasPrefix("probe-") && $0.message.type == .gpadlHeader
    }
    #expect(probed.count == 4)
    let balloon = try #require(
      probed.first { $0.actor == "probe-hv-balloon" }.map { Run.line($0) })
    let balloonID = String(balloon.split(separator: " ")[1])
    let ring = balloonID == "E1E10" ? "E1E11" : "E1E10"
    let netvscIDs = ["E1E10", "E1E11", "E1E12", "E1E13"].filter { $0 != balloonID }
    #expect(netvscIDs.first == ring)
    #expect(
      Array(boot.dropFirst(7)) == [
        // The last device registered freezes first.
        "CLOSECHANNEL relid 2", "GPADL_TEARDOWN relid 2 gpadl \(balloonID)",
        "CLOSECHANNEL relid 1", "GPADL_TEARDOWN relid 1 gpadl \(netvscIDs[0])",
        "GPADL_TEARDOWN relid 1 gpadl \(netvscIDs[1])",
        "GPADL_TEARDOWN relid 1 gpadl \(netvscIDs[2])", "UNLOAD", "INITIATE_CONTACT 4.0 conn 1",
        "REQUESTOFFERS", "GPADL_HEADER E1E14 relid 1 pages 256",
        "OPENCHANNEL relid 1 gpadl E1E14 vp 0 offset 128", "GPADL_HEADER E1E15 relid 1 pages 4096",
        "GPADL_HEADER E1E16 relid 1 pages 255", "GPADL_HEADER E1E17 relid 2 pages 10",
        "OPENCHANNEL relid 2 gpadl E1E17 vp 0 offset 5",
      ])
    let resumed = try #require(run.entry(containing: "the hibernation image resumes"))
    let offersBack = try #require(
      run.run.transcript.lastIndex { $0.text == "ALLOFFERS_DELIVERED" })
    let reopen = try #require(
      run.posts.first { Run.line($0) == "GPADL_HEADER E1E14 relid 1 pages 256" })
    #expect(resumed < offersBack && offersBack < reopen.entry)
  }

  /// `vmbus_on_msg_dpc` (drivers/hv/vmbus_drv.c) signals EOM in the tasklet that handled the
  /// message, and hibernation takes the CPUs down only after their tasklets ran: a host
  /// message that found the slot busy is retried once the old kernel goes, not left waiting
  /// for an EOM no kernel will send (which hung the hardened host's next contact).
  @Test("vmbus_on_msg_dpc (vmbus_drv.c): the old kernel's EOM frees a busy slot before hibernation")
  func hibernationEOMsTheBusySlot() throws {
    let yaml = Run.yaml(
      devices: ["{class: netvsc}", "{class: hv-balloon}"], profile: "hardened", kernel: "6.14",
      autoProbe: true,
      steps: ["linux.connect: {versions: ['4.0'], vcpu: 0}", "send: {type: 16}", "linux.hibernate"]
    ).replacingOccurrences(of: "actors:", with: "faults: {slot_busy: 0.9}\nactors:")
    let scenario = try ScenarioParser.parse(yaml, file: "linux-test.yaml")
    // The schedule the fuzzer found: the guest's second UNLOAD_RESPONSE finds the slot busy
    // and the image resumes before the guest's EOM.
    let run = FuzzCase(
      scenario: scenario, seed: 127_128,
      choices: [1, 1, 0, 954_619, 0, 0, 0, 0, 909_403, 0, 0, 0, 1, 1]
    ).run(transcript: true)
    let texts = run.transcript.map(\.text)
    let busy = try #require(texts.firstIndex { $0.hasPrefix("slot busy") })
    let resumed = try #require(texts.firstIndex(of: "the hibernation image resumes"))
    #expect(busy < resumed)
    let retried = try #require(texts.lastIndex { $0.hasPrefix("EOM seen") })
    #expect(resumed < retried)
    #expect(PropertyChecker.check(run) == nil, "\(run.outcome)")
  }

  /// `vmbus_wait_for_unload` (drivers/hv/channel_mgmt.c): once it has the UNLOAD_RESPONSE a
  /// crashing kernel empties every slot without EOM. A host message that had found the slot
  /// busy (QEMU set message-pending) then waits for an EOM no kernel writes, and the kdump
  /// kernel's INITIATE_CONTACT is never taken: the guest broke the SynIC protocol, so the
  /// hang is a guest error, not the hardened host's.
  @Test("vmbus_wait_for_unload (channel_mgmt.c): a slot emptied without its EOM is a guest error")
  func crashCleanupWithoutEOMIsAGuestError() throws {
    let yaml = Run.yaml(
      devices: ["{class: netvsc}", "{class: storvsc}"], profile: "hardened", kernel: "6.14",
      autoProbe: true,
      steps: ["linux.connect: {vcpu: 0}", "linux.request_offers", "linux.reboot", "linux.kdump"]
    ).replacingOccurrences(of: "actors:", with: "faults: {slot_busy: 0.9}\nactors:")
    let scenario = try ScenarioParser.parse(yaml, file: "linux-test.yaml")
    // The schedule the fuzzer found (seed 18895 of the hardened Linux campaign).
    let choices =
      "1,1,0,958610,0,0,0,967545,0,0,0,902066,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,933121,1,0,0,0,0,0,900553,1,0,986143,1,0,0,0,938554,1,0,0,0,959691,0,0,0,1,1,0,0,1,0,1,0,1,1,0,0,1,0,0,1,904650,1,0,1,0,1,0,0,1,0,1,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,975846,0,1,1,0,0,0,0,0,0,0,0,0,0,928444,0,0,1,1,1,0,977677,0,0,0,990372,0,0,0,904210,1,0,0,0,0,0,0,0,0,0,0,0,0,987564,0,0,1,1,0,1,1,0,1,1,1,970859,2,0,0,0,0,0,0,0,979189,1,953899,0,0,0,1,1"
      .split(separator: ",").compactMap { UInt32($0) }
    let run = FuzzCase(scenario: scenario, seed: 18_895, choices: choices, zeroAfterReplay: true)
      .run(transcript: true)
    let texts = run.transcript.map(\.text)
    let busy = try #require(texts.lastIndex { $0.hasPrefix("slot busy") })
    let restarted = try #require(texts.lastIndex(of: "a new kernel starts"))
    #expect(busy < restarted)
    #expect(run.outcome.kind == .guestError, "\(run.outcome)")
    #expect(run.outcome.rootCause == .slotClearedWithoutEOM)
    #expect(PropertyChecker.check(run) == nil)
  }

  /// `vmbus_bus_resume` (drivers/hv/vmbus_drv.c): "We only use the 'vmbus_proto_version',
  /// which was in use before hibernation, to re-negotiate with the host": one
  /// INITIATE_CONTACT, for 3.0 here, not the walk.
  @Test("vmbus_bus_resume (vmbus_drv.c): resume asks for the saved version only")
  func vmbusBusResumeNegotiatesTheSavedVersion() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.hibernate",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.lines == [
        "INITIATE_CONTACT 3.0 conn 1", "REQUESTOFFERS", "GPADL_HEADER E1E10 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 5", "CLOSECHANNEL relid 1",
        "GPADL_TEARDOWN relid 1 gpadl E1E10", "UNLOAD", "INITIATE_CONTACT 3.0 conn 1",
        "REQUESTOFFERS", "GPADL_HEADER E1E11 relid 1 pages 10",
        "OPENCHANNEL relid 1 gpadl E1E11 vp 0 offset 5",
      ])
  }

  /// hv-balloon's open with ring GPADL `id`, its freeze-time close and UNLOAD, and a 3.0
  /// contact: the hibernation tests' lines.
  static func balloonOpen(_ id: String) -> [String] {
    ["GPADL_HEADER \(id) relid 1 pages 10", "OPENCHANNEL relid 1 gpadl \(id) vp 0 offset 5"]
  }
  static func balloonFreeze(_ id: String) -> [String] {
    ["CLOSECHANNEL relid 1", "GPADL_TEARDOWN relid 1 gpadl \(id)", "UNLOAD"]
  }
  static let contact30 = ["INITIATE_CONTACT 3.0 conn 1", "REQUESTOFFERS"]

  /// `hibernate` → `power_down` in `reboot` mode (kernel/power/hibernate.c): after the thaw
  /// writes the image, `kernel_restart` resets the machine (no UNLOAD); the boot kernel boots
  /// walking its whole table and probes, `software_resume` → `hibernation_restore` quiesces
  /// it with the freeze callbacks (UNLOAD), and the image kernel resumes with the version
  /// and GPADL counter of the image, made before the thaw: the thaw's id comes again.
  @Test("hibernate reboot mode (hibernate.c): thaw, machine reset, boot kernel, quiesce, restore")
  func hibernationThroughARebootRestoresTheImage() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.hibernate: {mode: reboot}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let (open, close, contact) = (Self.balloonOpen, Self.balloonFreeze, Self.contact30)
    #expect(
      run.lines == contact + open("E1E10") + close("E1E10")
        // The thaw.
        + contact + open("E1E11")
        // The boot kernel, after the machine reset, and its quiesce.
        + Self.walk612 + ["REQUESTOFFERS"] + open("E1E10") + close("E1E10")
        // The image kernel.
        + contact + open("E1E11"))
    let texts = run.run.transcript.map(\.text)
    let reset = try #require(texts.firstIndex(of: "machine reset"))
    let restored = try #require(
      texts.firstIndex(of: "the hibernation image is loaded and resumes"))
    #expect(reset < restored)
    #expect(texts.filter { $0 == "the hibernation image resumes" }.count == 1)
  }

  /// `test_resume` mode (kernel/power/hibernate.c): no `power_down`; after the thaw writes
  /// the image, `load_image_and_restore` reads it back in the same machine:
  /// `hibernation_restore` quiesces the devices with the freeze callbacks (UNLOAD), and the
  /// image kernel resumes with the image's version and GPADL counter, so the thaw's id comes
  /// again. No machine reset, no boot kernel.
  @Test("hibernate test_resume mode (hibernate.c): thaw, quiesce, restore, in one machine")
  func hibernationTestResumeRestoresTheImageAtOnce() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.hibernate: {mode: test_resume}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let (open, close, contact) = (Self.balloonOpen, Self.balloonFreeze, Self.contact30)
    #expect(
      run.lines == contact + open("E1E10") + close("E1E10")
        // The thaw, then the quiesce.
        + contact + open("E1E11") + close("E1E11")
        // The image kernel.
        + contact + open("E1E11"))
    #expect(!run.run.events.contains(.simulator(.machineReset)))
    #expect(
      run.notes.contains("the hibernation image is loaded and resumes"))
  }

  /// After the thaw, `power_down` (kernel/power/hibernate.c) goes on by mode. In platform
  /// mode `hibernation_platform_enter` runs the poweroff callbacks (PMSG_HIBERNATE), which
  /// are the freeze ones, so the devices close and `vmbus_bus_suspend` unloads once more, then
  /// S4. In shutdown mode `kernel_power_off` → `device_shutdown` sends nothing (no hv driver
  /// has a shutdown callback, and `hv_machine_shutdown` unloads for kexec only), then S5.
  /// QEMU takes either as a shutdown, and the run ends with nothing owed.
  @Test(
    "hibernate platform and shutdown modes (hibernate.c): a second freeze and S4, or S5 alone",
    arguments: [("platform", "S4", true), ("shutdown", "S5", false)])
  func hibernationPowersOff(mode: String, state: String, freezesAgain: Bool) throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["3.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.hibernate: {mode: \(mode)}",
          // Never reached: the machine is off.
          "linux.kexec",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.outcome.message.contains("powered off (ACPI \(state))"), "\(run.outcome)")
    let contact = ["INITIATE_CONTACT 3.0 conn 1", "REQUESTOFFERS"]
    let open = { (id: String) in
      ["GPADL_HEADER \(id) relid 1 pages 10", "OPENCHANNEL relid 1 gpadl \(id) vp 0 offset 5"]
    }
    let close = { (id: String) in
      ["CLOSECHANNEL relid 1", "GPADL_TEARDOWN relid 1 gpadl \(id)", "UNLOAD"]
    }
    let thaw = contact + open("E1E10") + close("E1E10") + contact + open("E1E11")
    #expect(run.lines == thaw + (freezesAgain ? close("E1E11") : []))
    #expect(run.run.transcript.last?.text == "the machine enters \(state) and powers off")
  }

  /// `dpm_prepare`'s `device_block_probing` (drivers/base/dd.c, drivers/base/power/main.c):
  /// hibernation waits for the probes under way and defers the others until `dpm_complete`,
  /// so no driver probe posts between the first freeze message and the end of resume.
  @Test("device_block_probing (drivers/base/dd.c): no probe straddles a hibernation")
  func hibernationBlocksProbing() throws {
    let yaml = Run.yaml(
      devices: ["{class: storvsc}", "{class: hv-balloon}"], kernel: "6.14", autoProbe: true,
      steps: ["linux.connect", "linux.request_offers", "linux.hibernate"])
    let prepared = PreparedScenario(try ScenarioParser.parse(yaml, file: "linux-test.yaml"))
    for seed in 0..<30 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      #expect(run.outcome.kind == .passed, "seed \(seed): \(run.outcome)")
      // The hibernation's posts: the boot actor's after its REQUESTOFFERS.
      let boot = run.posts.filter { $0.actor == "boot" }
      let offers = try #require(boot.firstIndex { $0.message == .requestOffers })
      guard offers + 1 < boot.count else { continue }
      let start = boot[offers + 1].entry
      let end = try #require(boot.last).entry
      #expect(
        !run.posts.contains { $0.actor != "boot" && $0.entry > start && $0.entry < end },
        "seed \(seed)")
      #expect(boot.filter { $0.message == .unload }.count == 1)
    }
  }

  /// `kernel_restart` → `device_shutdown` (drivers/base/core.c, kernel/reboot.c): no hv
  /// driver has a shutdown callback that posts, and `hv_machine_shutdown` runs
  /// `hv_kexec_handler` only for kexec: a reboot sends no UNLOAD and no close. The machine
  /// resets and the next kernel boots from scratch.
  @Test(
    "kernel_restart/hv_machine_shutdown (kernel/reboot.c, mshyperv.c): a reboot sends nothing, then a fresh boot"
  )
  func rebootSendsNothing() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"], autoProbe: true,
        steps: ["linux.connect", "linux.request_offers", "sleep: 1s", "linux.reboot"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let boot = Self.walk612 + ["REQUESTOFFERS"]
    let probe = [
      "GPADL_HEADER E1E10 relid 1 pages 64", "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 32",
    ]
    let lines = run.linesWithoutBodies
    #expect(lines.count == 2 * (boot.count + probe.count))
    #expect(Set(lines.prefix(9)) == Set(boot + probe))
    #expect(Set(lines.suffix(9)) == Set(boot + probe))
    #expect(!lines.contains("UNLOAD"))
    let reset = try #require(run.entry(containing: "machine reset"))
    let firstOfNewKernel = run.posts.filter { $0.entry > reset }.map(Run.line)
    #expect(Array(firstOfNewKernel.prefix(7)) == boot)
  }

  // MARK: Helpers

  /// The first op from `start` (following jumps) that posts a message.
  static func nextPost(in ops: [GuestOp], from start: Int) -> GuestOp? {
    var pc = start
    var steps = 0
    while pc < ops.count, steps < ops.count {
      steps += 1
      switch ops[pc] {
      case .jump(let target): pc = target
      case .post, .linux(.postGpadl), .linux(.postOpen), .linux(.postClose),
        .linux(.postTeardown):
        return ops[pc]
      default: pc += 1
      }
    }
    return nil
  }

}

extension Collection {
  /// The first non-nil result of `transform`.
  fileprivate func firstNonNil<T>(_ transform: (Element) -> T?) -> T? {
    for element in self {
      if let value = transform(element) { return value }
    }
    return nil
  }
}
