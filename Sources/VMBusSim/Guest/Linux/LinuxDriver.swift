import VMBusHost
import VMBusWire

/// What a Linux driver asks of the bus when it probes its device: the ring it opens, whether
/// its channels are spread over CPUs, and the buffers it shares after the open
/// (docs/linux-guest-model.md, "Drivers").
struct LinuxDriver: Hashable, Sendable {
  /// A buffer the driver shares through a GPADL of its own after the open.
  enum Buffer: UInt8, Hashable, Sendable, CaseIterable {
    /// netvsc's receive buffer (`netvsc_init_buf`).
    case receive = 1
    /// netvsc's send buffer, established after the receive buffer.
    case send = 2
  }

  /// The module that drives the class, for messages.
  var module: String
  /// Both rings together, in 4 KiB pages (send ring first, each half).
  var ringPages: UInt32
  /// `hv_vmbus_dev_types[].perf_device`: its channels are spread over CPUs by
  /// `init_vp_index`; every other channel goes to CPU 0.
  var isPerformanceDevice: Bool
  /// The buffers established after the open, in order.
  var buffers: [SharedBuffer]

  /// A buffer and its size in 4 KiB pages.
  struct SharedBuffer: Hashable, Sendable {
    var buffer: Buffer
    var pages: UInt32
  }

  /// The driver for a device Linux has no driver for but a scenario opens anyway: a plain
  /// `vmbus_open` with the scenarios' usual ring, on CPU 0.
  static let generic = LinuxDriver(
    module: "vmbus", ringPages: 64, isPerformanceDevice: false, buffers: [])

  /// The driver Linux binds to a device of this class GUID, if it has one.
  static func forClass(_ classID: GUID) -> LinuxDriver? {
    guard let known = KnownDeviceClass.allCases.first(where: { $0.classID == classID }) else {
      return nil
    }
    return forClass(known)
  }

  static func forClass(_ known: KnownDeviceClass) -> LinuxDriver {
    switch known {
    case .netvsc:
      // `netvsc_ring_bytes` = VMBUS_RING_SIZE(128 pages) per ring; the receive buffer is
      // NETVSC_RECEIVE_BUFFER_DEFAULT and the send buffer NETVSC_SEND_BUFFER_DEFAULT.
      LinuxDriver(
        module: "hv_netvsc", ringPages: 256, isPerformanceDevice: true,
        buffers: [
          SharedBuffer(buffer: .receive, pages: 4096), SharedBuffer(buffer: .send, pages: 255),
        ])
    case .storvsc:
      // `storvsc_ringbuffer_size` = 128 KiB per ring.
      LinuxDriver(module: "hv_storvsc", ringPages: 64, isPerformanceDevice: true, buffers: [])
    case .hvBalloon:
      // `dm_ring_size` = VMBUS_RING_SIZE(16 KiB): a header page and four data pages a ring.
      LinuxDriver(module: "hv_balloon", ringPages: 10, isPerformanceDevice: false, buffers: [])
    case .kvp, .heartbeat, .shutdown, .timesync:
      // `util_probe`: HV_UTIL_RING_SEND_SIZE = HV_UTIL_RING_RECV_SIZE =
      // VMBUS_RING_SIZE(3 pages).
      LinuxDriver(module: "hv_utils", ringPages: 8, isPerformanceDevice: false, buffers: [])
    }
  }
}
