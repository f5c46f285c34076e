import VMBusWire

/// What QEMU's `open_channel` does with a request (docs/qemu-reference.md §6.3 step 6).
enum OpenAttempt: Hashable, Sendable {
  /// `is_open` is set.
  case opened
  /// A step failed and was undone; the result will carry status 1.
  case failed
  /// QEMU crashes inside the attempt.
  case crashes(HostFault)
}

extension HostState {
  /// Runs QEMU's host-side open steps in order against the current state.
  func openAttempt(_ channel: Channel, _ request: OpenRequest) -> OpenAttempt {
    // 1. A reference on a full GPADL, whatever its state or owner.
    guard let gpadl = gpadl(request.gpadlID), gpadl.isFull else { return .failed }
    // 2. Rings: each needs two pages; `offset + 1` is computed in u32, so 0xFFFFFFFF passes.
    // The hardened host computes it without the wrap and fails the open (§9 entry 33).
    let offset = request.ringBufferOffset ?? 0
    let secondRingEnd = isHardened ? UInt64(offset) + 1 : UInt64(offset &+ 1)
    guard offset > 1, UInt64(gpadl.numGfns) > secondRingEnd else { return .failed }
    if offset == .max { return .crashes(.ringOffsetOutOfBounds(channel.id)) }
    if gpadl.ringIndicesCorrupted { return .failed }
    // 3. The event handler for 16 + relid cannot collide: relids are unique.
    // 4. The notification route: shared with the bus or an open channel, else a new one.
    let vp = request.targetVP
    let shared =
      vp == targetVP || channels.contains { $0.state.isOpen && $0.state.request?.targetVP == vp }
    if !shared, let machine {
      switch machine.route(to: vp) {
      case .created: break
      case .fails: return .failed
      // The hardened host checks the vCPU exists and fails the open (§9 entry 37).
      case .crash: return isHardened ? .failed : .crashes(.unknownVCPU(vp))
      }
    }
    // 5. The device class's own hook.
    if device(owning: channel)?.config?.openHookFails == true { return .failed }
    return .opened
  }
}
