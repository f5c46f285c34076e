import VMBusHost
import VMBusTrace
import VMBusWire

extension HostEvent {
  /// One line: the trace point as QEMU's log backend prints it (without a prefix), or the
  /// simulator fact in the same spirit.
  package var text: String {
    switch self {
    case .trace(let event): QEMULogFormatter.line(event, prefix: nil)
    case .simulator(let fact): fact.text
    }
  }
}

extension SimulatorEvent {
  /// `sim_hypercall conn 1 type 1 size 40 status success`, and so on.
  package var text: String {
    switch self {
    case .machineStarted(let profile, let machine):
      "\(name) profile \(profile.rawValue) vcpus \(machine.vcpuCount)"
        + (machine.qemuRelease == .current ? "" : " release \(machine.qemuRelease.rawValue)")
    case .deviceRealized(let config):
      "\(name) \(config.name) class \(config.classID) instance \(config.instanceID) channels \(config.channelCount)"
    case .deviceRejected(let instance, let reason): "\(name) instance \(instance): \(reason)"
    case .hypercall(let call, let status):
      "\(name) conn \(call.connectionID) type \(call.messageType) size \(call.payloadSize) status \(status)"
    case .signal(let connection, let status): "\(name) conn \(connection) status \(status)"
    case .hostFault(let fault): "\(name) \(fault)"
    case .machineReset, .rescheduleLost, .busRunIdle: name
    case .deviceReset(let instance): "\(name) instance \(instance)"
    case .ringIndicesCorrupted(let id): "\(name) gpadl \(id)"
    case .tracedEventsDropped(let count): "\(name) \(count) events lost"
    case .migrated(let digest): "\(name) saved state \(StableDigest.hex(digest))"
    }
  }
}
