import VMBusWire

/// The guest's SynIC message slot for SINT 2 and the host message on its way into it
/// (docs/qemu-reference.md §1.3).
struct SynICSlot: Hashable, Sendable {
  /// What occupies the slot until the guest's EOM.
  enum Content: Hashable, Sendable {
    /// A VMBus message the guest has not handled yet.
    case host(ChannelMessage)
    /// Some other SINT 2 message (the environment keeps the slot busy).
    case foreign
  }

  /// Where the host's posted message is.
  enum Delivery: Hashable, Sendable {
    /// Nothing on its way.
    case idle
    /// Posted, not yet tried against the slot.
    case posted(ChannelMessage?)
    /// The slot was busy: QEMU set PENDING and waits for the guest's EOM.
    case waitingForEOM
    /// The guest did EOM: the -EAGAIN callback is due.
    case eomSeen
  }

  var slot: Content?
  var delivery = Delivery.idle {
    // The flag below is about the delivery that was waiting; once it stops waiting (an EOM,
    // a reset, a migration's fresh route) a later wait owes the guest nothing of it.
    didSet { if delivery != .waitingForEOM { emptiedWithoutEOM = false } }
  }
  /// The guest has a message page (kexec and crash kernels tear it down).
  var messagePageEnabled = true
  /// A machine reset cleared the SynIC (`synic_reset`: no message page) and the new kernel
  /// has not run yet; it sets the page up before it sends anything.
  var guestRebooting = false
  /// The guest emptied the slot without the EOM the waiting delivery needs
  /// (`vmbus_wait_for_unload`'s cleanup), not a machine reset: the guest's protocol error.
  /// Only meaningful while ``delivery`` waits for that EOM.
  var emptiedWithoutEOM = false
  /// Deliveries that will still find the slot busy (an environment action).
  var forcedBusy = 0

  /// Whether anything occupies the slot (matched, not compared, so the message is not copied).
  var isOccupied: Bool {
    if case .some = slot { true } else { false }
  }
}
