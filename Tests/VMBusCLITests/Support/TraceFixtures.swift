/// Trace files the tests write, as QEMU prints them.
enum TraceFixtures {
  /// A short, protocol-clean session (contact, two offers, two GPADLs, one open) in all three
  /// log dialects, with the lines an import skips: another trace point (line 6), a blank line
  /// (line 7), and an `error_report` line (line 19). It has `%d` values of 2^31 and above
  /// printed negative (`gpadl #-1`), a `(nil)` pointer, and events without arguments that end
  /// in a space.
  static let mixedLog = """
    4152@1591800412.004512:vmbus_recv_message type 14 size 40
    4152@1591800412.004530:vmbus_process_incoming_message type 14
    4152@1591800412.004561:vmbus_initiate_contact version 4.0 target vp 0 mon pages 0x7e000,0x7f000 int page 0x7d000
    4152@1591800412.004600:vmbus_post_msg type 15 size 12
    4153@1591800412.004700:vmbus_msg_cb message status 0
    hv_balloon_state_change -> WAIT_QUERY

    vmbus_recv_message type 3 size 8
    vmbus_process_incoming_message type 3
    vmbus_send_offer channel #2 dev 0x55d6c0a1b2c0
    vmbus_post_msg type 1 size 200
    vmbus_msg_cb message status 0
    vmbus_send_offer channel #1 dev (nil)
    vmbus_post_msg type 1 size 200
    vmbus_msg_cb message status 0
    vmbus_terminate_offers\u{20}
    vmbus_post_msg type 4 size 8
    vmbus_msg_cb message status 0
    vmbus: unknown message type 0x16
    2025-07-21T18:43:28.089797Z vmbus_recv_message type 8 size 56
    2025-07-21T18:43:28.089798Z vmbus_recv_message type 9 size 24
    2025-07-21T18:43:28.089800Z vmbus_process_incoming_message type 8
    2025-07-21T18:43:28.089810Z vmbus_gpadl_header gpadl #-1 gfns 2
    2025-07-21T18:43:28.089811Z vmbus_process_incoming_message type 9
    2025-07-21T18:43:28Z vmbus_gpadl_body gpadl #-1
    2025-07-21T18:43:28.089900Z vmbus_gpadl_created gpadl #-1
    2025-07-21T18:43:28.089901Z vmbus_post_msg type 10 size 20
    2025-07-21T18:43:28.089950Z vmbus_msg_cb message status 0
    vmbus_recv_message type 8 size 56
    vmbus_recv_message type 9 size 24
    vmbus_process_incoming_message type 8
    vmbus_gpadl_header gpadl #925200 gfns 2
    vmbus_process_incoming_message type 9
    vmbus_gpadl_body gpadl #925200
    vmbus_gpadl_created gpadl #925200
    vmbus_post_msg type 10 size 20
    vmbus_msg_cb message status 0
    vmbus_recv_message type 5 size 32
    vmbus_process_incoming_message type 5
    vmbus_open_channel channel #1 gpadl #925200 target vp 0
    vmbus_channel_open channel #1 status 0
    vmbus_post_msg type 6 size 20
    vmbus_msg_cb message status 0
    vmbus_signal_event\u{20}
    vmbus_channel_notify_guest channel #1

    """

  /// The events of ``mixedLog``, and the lines it skips.
  static let mixedLogEvents = 42
  static let mixedLogSkipped = 3

  /// ``mixedLog``'s `vmbus_*` lines, each with its newline: what a default export prints.
  static var mixedLogEventLines: String {
    mixedLog.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { $0.contains("vmbus_") }
      .map { $0 + "\n" }.joined()
  }

  /// ``mixedLog`` plus a message callback with nothing in flight: a protocol violation at
  /// seq 43.
  static let violatingLog = mixedLog + "vmbus_msg_cb message status -2147483648\n"

  /// Two lines of each dialect's prefix, for the per-dialect tests.
  static func log(prefixedWith prefix: (Int) -> String) -> String {
    let bodies = [
      "vmbus_recv_message type 14 size 40",
      "vmbus_process_incoming_message type 14",
      "vmbus_initiate_contact version 4.0 target vp 0 mon pages 0x7e000,0x7f000 int page 0x7d000",
      "vmbus_post_msg type 15 size 12",
      "vmbus_msg_cb message status 0",
      "vmbus_signal_event ",
    ]
    return bodies.enumerated().map { prefix($0.offset) + $0.element + "\n" }.joined()
  }
}
