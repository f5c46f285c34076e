import VMBusWire

/// QEMU's `VMBusGpadl.state`.
public enum GpadlState: UInt8, Hashable, Sendable, Codable, CustomStringConvertible {
  /// VMGPADL_INIT: created by a header, GPADL_CREATED not yet delivered.
  case initial = 0
  /// VMGPADL_ALIVE: GPADL_CREATED delivered.
  case alive = 1
  /// VMGPADL_TEARINGDOWN: a teardown was accepted; GPADL_TORNDOWN is next.
  case tearingDown = 2
  /// VMGPADL_TORNDOWN: GPADL_TORNDOWN delivered; lingers while a channel holds a reference.
  case tornDown = 3

  /// The name in `replay --json` output.
  public var description: String {
    switch self {
    case .initial: "init"
    case .alive: "alive"
    case .tearingDown: "tearingdown"
    case .tornDown: "torndown"
    }
  }
}

/// A guest physical address descriptor list, global to the bus and keyed by its id.
public struct Gpadl: Hashable, Sendable, Codable {
  /// The id the guest chose.
  public var id: GpadlID
  /// The header's child_relid, echoed in GPADL_CREATED, never checked; nil in a bare trace.
  public var childRelid: ChannelID?
  /// `num_gfns` as QEMU computed it from the header.
  public var numGfns: UInt32
  /// `seen_gfns`; nil while a bare trace has not shown that the GPADL is full.
  public var seenGfns: UInt32?
  /// Lifecycle state.
  public var state: GpadlState = .initial
  /// References: 1 for the guest's handle plus 1 per channel opened on it.
  public var refcount: UInt32 = 1
  /// True while only a bare trace's header vouches for it: QEMU may have ignored that header
  /// (bad range shape), and no host output has confirmed the GPADL yet.
  public var isAssumed: Bool = false
  /// The guest corrupted its ring indices, so opens on this GPADL fail (§9 entry 34).
  public var ringIndicesCorrupted: Bool = false

  public init(id: GpadlID, childRelid: ChannelID?, numGfns: UInt32, seenGfns: UInt32?) {
    self.id = id
    self.childRelid = childRelid
    self.numGfns = numGfns
    self.seenGfns = seenGfns
  }

  /// QEMU's `gpadl_full`.
  public var isFull: Bool { seenGfns == numGfns }
}
