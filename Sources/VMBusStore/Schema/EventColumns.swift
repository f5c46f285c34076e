import VMBusHost

/// The `events` table's columns and where each trace point's arguments go.
///
/// Each distinct QEMU argument name has one nullable INTEGER column; a trace event fills the
/// columns of its parameters with their 64-bit words reinterpreted as signed
/// (`Int64(bitPattern:)`), so `int` arguments read back negative (`status = -11`) and `uint64_t`
/// or pointer values above `Int64.max` read back as their two's-complement bit pattern.
enum EventColumns {
  /// One column per distinct QEMU argument name, in table order.
  static let arguments = [
    "type", "size", "chan_id", "status", "message_type", "major", "minor", "vcpu",
    "monitor_page1", "monitor_page2", "interrupt_page", "dev", "gpadl_id", "num_gfns",
    "target_vp",
  ]

  /// Every column an insert writes, in bind order (`?1` is `session_id`).
  static let insertColumns =
    ["session_id", "seq", "name"] + arguments
    + ["sim", "ts_text", "ts_ns", "thread_id", "source_line", "source_offset"]

  /// The columns a read selects, in result order (column 0 is `seq`).
  static let selectColumns =
    ["seq", "name"] + arguments
    + ["sim", "ts_text", "ts_ns", "thread_id", "source_line", "source_offset"]

  /// The trace points in ordinal order (`TracePoint.allCases`, computed once).
  static let points = TracePoint.allCases

  /// For each trace point (by ``ordinal(_:)``), the index in ``arguments`` of each parameter.
  static let slots: [[Int32]] = points.map { point in
    point.parameters.map { parameter in
      Int32(arguments.firstIndex(of: parameter.name) ?? -1)
    }
  }

  /// Each trace point's name as UTF-8 bytes, by ordinal, to match stored names without
  /// building a `String` per row.
  static let names: [[UInt8]] = points.map { Array($0.name.utf8) }

  /// The trace point's position in `TracePoint.allCases`.
  static func ordinal(_ point: TracePoint) -> Int {
    switch point {
    case .recvMessage: 0
    case .signalEvent: 1
    case .channelNotifyGuest: 2
    case .postMsg: 3
    case .msgCb: 4
    case .processIncomingMessage: 5
    case .initiateContact: 6
    case .sendOffer: 7
    case .terminateOffers: 8
    case .gpadlHeader: 9
    case .gpadlBody: 10
    case .gpadlCreated: 11
    case .gpadlTeardown: 12
    case .gpadlTorndown: 13
    case .openChannel: 14
    case .channelOpen: 15
    case .closeChannel: 16
    }
  }
}
