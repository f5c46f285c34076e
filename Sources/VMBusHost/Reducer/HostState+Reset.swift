import VMBusWire

/// Resets, closes and GPADL references (docs/qemu-reference.md §5.6, §7.3, §7.4).
extension HostState {
  /// `bus_cold_reset`: every device first (channels closed and INIT), then `vmbus_deinit`.
  /// The rx queue and the run's schedule are untouched.
  mutating func busReset(_ log: inout ViolationLog) {
    for index in channels.indices {
      close(at: index, &log)
      channels[index].state = .initial
    }
    deinitBus(&log)
  }

  /// `vmbus_deinit`: drop the guest's handle on every GPADL not torn down, offers back to
  /// INIT, route released (so it is known to be gone), version forgotten, LISTEN, nothing in
  /// flight.
  mutating func deinitBus(_ log: inout ViolationLog) {
    var index = 0
    while index < gpadls.count {
      if gpadls[index].state != .tornDown && dropGpadlReference(at: index, &log) { continue }
      index += 1
    }
    for index in channels.indices { channels[index].offer = .initial }
    targetVP = Self.noVP
    routeKnown = true
    interruptPage = 0
    version = ProtocolVersion(rawValue: 0)
    bus = .listen
    messageInFlight = false
    announcedPost = nil
    awaiting = nil
    failureReply = nil
  }

  /// `vmbus_dev_reset`: close every channel of the device and set it to INIT.
  ///
  /// The hardened host closes an OPENING channel's host side but keeps it OPENING, so the
  /// result the bus owes still goes out, with status 1, instead of QEMU's abort when the
  /// send or complete function finds no OPENING channel (§7.4, §9 entry 46).
  mutating func resetDevice(_ device: DevicePointer, _ log: inout ViolationLog) {
    for index in channels.indices where channels[index].device == device {
      let opening: OpenRequest? =
        if case .opening(let request, _) = channels[index].state { request } else { nil }
      close(at: index, &log)
      if isHardened, let opening {
        channels[index].state = .opening(opening, hostOpen: false)
      } else {
        channels[index].state = .initial
      }
    }
  }

  /// `close_channel`: only a host-open channel has anything to release.
  mutating func close(at index: Int, _ log: inout ViolationLog) {
    guard channels[index].state.isOpen, let request = channels[index].state.request else { return }
    if let gpadl = gpadlIndex(request.gpadlID) {
      dropGpadlReference(at: gpadl, &log)
    } else {
      log.add(
        .unknownGpadl, "channel \(channels[index].id) held gpadl \(request.gpadlID), which is gone")
    }
    channels[index].state = .initial
  }

  /// `vmbus_get_gpadl` after its checks: one more reference.
  mutating func takeGpadlReference(_ id: GpadlID) {
    if let index = gpadlIndex(id) { gpadls[index].refcount += 1 }
  }

  /// `vmbus_put_gpadl`: one reference less, freed at zero. True when the GPADL was removed.
  @discardableResult
  mutating func dropGpadlReference(at index: Int, _ log: inout ViolationLog) -> Bool {
    guard gpadls[index].refcount > 0 else {
      log.add(.refcountUnderflow, "gpadl \(gpadls[index].id) has no reference left to drop")
      gpadls.remove(at: index)
      return true
    }
    gpadls[index].refcount -= 1
    guard gpadls[index].refcount == 0 else { return false }
    gpadls.remove(at: index)
    return true
  }

  /// Adds a channel a bare trace revealed, in relid order (QEMU's realize order allocates
  /// relids in ascending order), grouped under its device pointer.
  mutating func learnChannel(_ chan: ChannelID, device pointer: DevicePointer) {
    let deviceIndex: Int
    if let existing = devices.firstIndex(where: { $0.pointer == pointer }) {
      deviceIndex = existing
    } else {
      devices.append(Device(pointer: pointer, config: nil, channelIDs: []))
      deviceIndex = devices.count - 1
    }
    let subchannel = UInt16(truncatingIfNeeded: devices[deviceIndex].channelIDs.count)
    devices[deviceIndex].channelIDs.append(chan)
    let position = channels.firstIndex { $0.id > chan } ?? channels.endIndex
    channels.insert(Channel(id: chan, device: pointer, subchannelIndex: subchannel), at: position)
  }

  /// Removes a channel a bare trace's inference had added.
  mutating func forgetChannel(_ chan: ChannelID) {
    channels.removeAll { $0.id == chan }
    for index in devices.indices { devices[index].channelIDs.removeAll { $0 == chan } }
    devices.removeAll { $0.config == nil && $0.channelIDs.isEmpty }
  }
}
