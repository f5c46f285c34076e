import VMBusWire

/// Where the simulated guest keeps what it shows the host, in guest physical memory. Linux
/// allocates these from its own heap; the simulator fixes them so that runs are
/// reproducible and every address in a log can be explained (docs/linux-guest-model.md).
enum GuestMemoryLayout {
  /// The interrupt page `vmbus_connect` sends below protocol 5.0 (`vmbus_connection.int_page`).
  static let interruptPage: UInt64 = 0x7D000
  /// The two monitor pages (`vmbus_connection.monitor_pages[0]` and `[1]`).
  static let monitorPages: (UInt64, UInt64) = (0x7E000, 0x7F000)
  /// The first page frame of GPADL buffers: 4 GiB, above anything else the guest shows.
  static let gpadlBase: UInt64 = 0x10_0000
  /// Page frames set aside for each GPADL id: 256 MiB, more than the largest buffer Linux
  /// establishes (netvsc's receive buffer, 16 MiB).
  static let framesPerGpadl: UInt64 = 0x1_0000

  /// The page frame of page `index` of the buffer behind GPADL `id`: consecutive from the
  /// buffer's base, which depends only on the id's low 16 bits.
  static func frame(of id: GpadlID, page index: Int) -> UInt64 {
    gpadlBase + UInt64(id.rawValue & 0xFFFF) * framesPerGpadl + UInt64(index)
  }

  /// The page frames of a `pages`-page buffer behind GPADL `id`, in order.
  static func frames(of id: GpadlID, pages: Int) -> [UInt64] {
    (0..<max(pages, 0)).map { frame(of: id, page: $0) }
  }
}
