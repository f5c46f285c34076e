import VMBusHost

/// A scenario input QEMU can never receive: the simulator offers it to explore what a host
/// would do, but no QEMU failure may rest on it.
package enum BeyondQEMUInput: String, CaseIterable, Hashable, Sendable, Codable {
  /// `device_reset`: one device reset from outside the bus. QEMU resets a VMBus device only
  /// through `vmbus_dev_reset` on a bus reset or on the last close (`vdev_reset_on_close`).
  case deviceReset = "device_reset"
  /// `device_added`: a device hot-plugged into a running bus. The bus has no hot-plug
  /// handler; devices are realized only at machine creation.
  case deviceAdded = "device_added"
}

extension SimulationRun {
  /// The inputs beyond QEMU the run took, each once, in `BeyondQEMUInput.allCases` order.
  package var inputsBeyondQEMU: [BeyondQEMUInput] {
    // inputs[0] starts the machine and the next ones realize its devices: later realizes
    // are `device_added` steps.
    let initial = 1 + scenario.host.devices.count
    var used = Set<BeyondQEMUInput>()
    for (index, input) in inputs.enumerated() {
      switch input {
      case .resetDevice: used.insert(.deviceReset)
      case .realizeDevice where index >= initial: used.insert(.deviceAdded)
      default: break
      }
    }
    return BeyondQEMUInput.allCases.filter(used.contains)
  }
}
