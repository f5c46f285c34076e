import VMBusHost
import VMBusWire

/// One step of an actor's script.
package struct Step: Hashable, Sendable {
  package var action: StepAction
  /// Where the step is written, for diagnostics; nil for steps built in code.
  package var location: SourceLocation?

  package init(_ action: StepAction, at location: SourceLocation? = nil) {
    self.action = action
    self.location = location
  }
}

/// What a step does.
package enum StepAction: Hashable, Sendable {
  /// Post a guest message (HvPostMessage), built from a type and field overrides.
  case send(MessageSpec)
  /// Wait for a host message; then check expectations on it.
  case wait(WaitSpec)
  /// Let virtual time pass.
  case sleep(VirtualDuration)
  /// Change the environment around the guest and host.
  case environment(EnvironmentAction)
  /// A composite step that behaves as Linux's `drivers/hv` does.
  case linux(LinuxStep)
}

/// A guest message to post: its type, fields that override the defaults, and the hypercall's
/// own fields. For a type with no layout (or `raw`), the payload bytes are given directly.
package struct MessageSpec: Hashable, Sendable {
  package var type: MessageType
  /// Field overrides by wire field name (`child_relid`, `gpadl_id`, `pfn_count`, ...).
  package var fields: [FieldOverride]
  /// Payload bytes after the 8-byte header, replacing the built message (malformed input).
  package var rawPayload: [UInt8]?
  /// Cut the payload to this many bytes (after building it).
  package var truncateTo: Int?
  /// HvPostMessage connection id (default 1).
  package var connectionID: UInt32
  /// SynIC message type (default 1).
  package var synicMessageType: UInt32
  /// Declared payload size, when it should differ from the bytes.
  package var payloadSize: UInt32?

  package init(
    type: MessageType, fields: [FieldOverride] = [], rawPayload: [UInt8]? = nil,
    truncateTo: Int? = nil, connectionID: UInt32 = 1, synicMessageType: UInt32 = 1,
    payloadSize: UInt32? = nil
  ) {
    self.type = type
    self.fields = fields
    self.rawPayload = rawPayload
    self.truncateTo = truncateTo
    self.connectionID = connectionID
    self.synicMessageType = synicMessageType
    self.payloadSize = payloadSize
  }
}

/// A message field and a value for it: one a scenario sets in a guest message, or one a
/// wait wants in a host message.
package struct FieldValue<Field: Hashable & Sendable>: Hashable, Sendable {
  package var field: Field
  package var value: Operand

  package init(_ field: Field, _ value: Operand) {
    self.field = field
    self.value = value
  }
}

/// A field of a guest message set by a scenario.
package typealias FieldOverride = FieldValue<MessageField>

/// A host message field and the value a wait wants in it.
package typealias ReplyValue = FieldValue<ReplyField>

/// The guest message fields a scenario may set, by their wire names.
package enum MessageField: String, CaseIterable, Hashable, Sendable {
  case versionRequested = "version_requested"
  case targetVCPU = "target_vcpu"
  case interruptPage = "interrupt_page"
  case monitorPage1 = "monitor_page1"
  case monitorPage2 = "monitor_page2"
  case childRelid = "child_relid"
  case openID = "open_id"
  case ringBufferGpadlID = "ring_buffer_gpadl_id"
  case targetVP = "target_vp"
  case ringBufferOffset = "ring_buffer_offset"
  case gpadlID = "gpadl_id"
  case rangeBufferLength = "range_buflen"
  case rangeCount = "rangecount"
  case byteCount = "byte_count"
  case byteOffset = "byte_offset"
  /// PFNs carried: a count of generated page numbers.
  case pfnCount = "pfn_count"
  /// Pages the header declares (sets range_buflen and byte_count as Linux does).
  case pages
  case messageNumber = "message_number"

  /// The message types that have this field.
  package var types: [MessageType] {
    switch self {
    case .versionRequested, .targetVCPU, .interruptPage, .monitorPage1, .monitorPage2:
      [.initiateContact]
    case .childRelid:
      [.openChannel, .closeChannel, .gpadlHeader, .gpadlTeardown, .relidReleased]
    case .openID, .ringBufferGpadlID, .targetVP, .ringBufferOffset: [.openChannel]
    case .gpadlID: [.gpadlHeader, .gpadlBody, .gpadlTeardown]
    case .rangeBufferLength, .rangeCount, .byteCount, .byteOffset, .pages: [.gpadlHeader]
    case .pfnCount: [.gpadlHeader, .gpadlBody]
    case .messageNumber: [.gpadlBody]
    }
  }
}

/// A value in a scenario: a number, a version, or something the guest learned at run time.
package enum Operand: Hashable, Sendable {
  /// A literal number.
  case number(UInt64)
  /// The relid the guest was offered for a device's channel (`relid(netvsc)`,
  /// `relid(netvsc, 1)` for sub-channel 1).
  case relid(device: String, subchannel: UInt16)
  /// The ring GPADL id the guest allocated when it last opened a device's channel
  /// (`ring_gpadl(netvsc)`, `ring_gpadl(netvsc, 1)` for sub-channel 1).
  case ringGpadl(device: String, subchannel: UInt16)
}

/// One channel of a device in a scenario: the device's name and the sub-channel index.
package struct DeviceChannel: Hashable, Sendable, Comparable, CustomStringConvertible {
  package var device: String
  package var subchannel: UInt16

  package init(_ device: String, _ subchannel: UInt16 = 0) {
    self.device = device
    self.subchannel = subchannel
  }

  package static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.device, lhs.subchannel) < (rhs.device, rhs.subchannel)
  }

  package var description: String {
    subchannel == 0 ? device : "\(device) sub-channel \(subchannel)"
  }
}

/// A wait for a host message.
package struct WaitSpec: Hashable, Sendable {
  /// The message type awaited.
  package var type: MessageType
  /// Fields the message must have to match (others are left to `expect`).
  package var match: [ReplyValue]
  /// Fields the matched message must have, else the run fails with expectation_failed.
  package var expect: [ReplyValue]
  /// Virtual time limit; nil waits forever (a hang if nothing can answer).
  package var timeout: VirtualDuration?
  /// The scenario expects no such message within the timeout (QEMU hangs the guest here).
  package var expectTimeout: Bool

  package init(
    type: MessageType, match: [ReplyValue] = [], expect: [ReplyValue] = [],
    timeout: VirtualDuration? = nil, expectTimeout: Bool = false
  ) {
    self.type = type
    self.match = match
    self.expect = expect
    self.timeout = timeout
    self.expectTimeout = expectTimeout
  }
}

/// Host message fields a wait may match or expect, by wire name.
package enum ReplyField: String, CaseIterable, Hashable, Sendable {
  case versionSupported = "version_supported"
  case childRelid = "child_relid"
  case openID = "open_id"
  case status
  case gpadlID = "gpadl_id"
  case subChannelIndex = "sub_channel_index"
  case connectionID = "connection_id"
}

/// Something the environment does.
package enum EnvironmentAction: Hashable, Sendable {
  /// The guest leaves its SINT 2 slot busy for the next `deliveries` host messages (each is
  /// then retried after the guest's EOM: QEMU sees -11).
  case slotBusy(deliveries: Int)
  /// The guest tears down its SynIC message page (kexec, crash): deliveries fail with -6.
  case teardownMessagePage
  /// The guest sets its message page up again.
  case restoreMessagePage
  /// The machine is reset.
  case machineReset
  /// A device is reset from outside the bus.
  case deviceReset(device: String)
  /// A device is added to the bus (QEMU has no hot-plug handler; modelled as realize).
  case deviceAdded(DeviceSpec)
  /// The guest scribbles out-of-range ring indices into the ring GPADL of a device.
  case corruptRing(device: String)
  /// The machine is live-migrated to a new host process (docs/host-model.md, "Migration").
  case migrate
  /// The guest signals an event connection (HvSignalEvent): 2 is the bus's, which QEMU's
  /// main loop answers with `vmbus_signal_event` (guests of protocols before Windows 8
  /// signal every channel there); 16 + relid is an open channel's own.
  case signalEvent(connectionID: UInt32)
}

/// A composite step that behaves as Linux's `drivers/hv` does (docs/linux-guest-model.md).
package enum LinuxStep: Hashable, Sendable {
  /// `vmbus_connect`: try each version newest first (nil: the kernel's table); 5.0 and above
  /// go to connection id 4.
  case connect(versions: [ProtocolVersion]?, vcpu: UInt32)
  /// `vmbus_request_offers`: REQUESTOFFERS, then wait up to 60 s for ALLOFFERS_DELIVERED
  /// (nil: as the kernel does, only from 6.14).
  case requestOffers(waitForAll: Bool?)
  /// `vmbus_open` once the channel is offered: ring GPADL, then OPENCHANNEL with
  /// openid = relid; expects OPENCHANNEL_RESULT with `expectStatus`. Ring size and VP default
  /// to the driver's and `init_vp_index`'s.
  case open(
    device: String, subchannel: UInt16, ringPages: UInt32?, targetVP: UInt32?,
    expectStatus: UInt32)
  /// `vmbus_close`: the primary's open sub-channels in offer order, then the primary, each
  /// CLOSECHANNEL then its ring's teardown. A sub-channel alone: -EINVAL, nothing sent.
  case close(device: String, subchannel: UInt16)
  /// `vmbus_initiate_unload`: UNLOAD once per kernel; kexec waits forever for
  /// UNLOAD_RESPONSE, crash polls up to 100 s and goes on.
  case unload(crash: Bool)
  /// The device's driver probes it: open with its ring and CPU, its buffers, its
  /// sub-channels.
  case probe(device: String)
  /// The device's driver is removed: `vmbus_close` and its buffers' teardowns.
  case remove(device: String)
  /// `hv_kexec_handler`, then the new kernel boots (connect, offers, probes).
  case kexec
  /// A crash: `hv_crash_handler`'s polled UNLOAD, then the kdump kernel boots.
  case kdump
  /// Hibernation: drivers close, UNLOAD, then resume with the saved version and reopen (the
  /// thaw); then `.platform` closes and unloads again and powers off, `.shutdown` powers off,
  /// and `.reboot` resets the machine for a boot kernel that restores the image.
  case hibernate(HibernationMode)
  /// A reboot: the machine is reset (no UNLOAD: `hv_machine_shutdown` acts on kexec only),
  /// then the new kernel boots.
  case reboot
  /// An emergency restart (SysRq b, `emergency_restart`): the machine resets at once, with
  /// no `device_shutdown` and nothing waited for or sent; then the new kernel boots.
  case emergencyRestart
  /// Suspend-to-RAM (`echo mem > /sys/power/state`, ACPI S3): vmbus sends nothing (it has no
  /// `suspend_noirq`), a channel bound to a secondary CPU aborts the suspend, and otherwise
  /// the kernel runs on after QEMU's wake, which resets the machine under it.
  case suspend
  /// A process connects an AF_VSOCK stream socket to the host (CID 2) at vsock `port`: with
  /// hv_sock loaded (protocol 4.0 and above) `hvs_connect` posts TL_CONNECT_REQUEST, and a
  /// refusal fails the connect (-EINVAL); nothing else is sent.
  case hvsockConnect(port: UInt32)

  /// Linux 6.1/6.12's version table, newest first.
  package static let defaultVersions: [ProtocolVersion] = LinuxKernel.default.versionTable
}

/// How a hibernation goes on after the image is made (kernel/power/hibernate.c), as
/// `/sys/power/disk` chooses it.
package enum HibernationMode: String, Hashable, Sendable, CaseIterable {
  /// The thaw that every hibernation runs to write its image (`hibernation_snapshot`), after
  /// which the guest runs on, as Linux does when the image cannot be written: the host sees
  /// what a restore shows it, without a boot kernel in between.
  case thaw
  /// `platform`, the default where ACPI offers S4: after the thaw writes the image,
  /// `hibernation_platform_enter` freezes the devices again with their poweroff callbacks
  /// (UNLOAD) and the machine enters S4, which QEMU takes as a shutdown: the process ends,
  /// and the restore is another process's.
  case platform
  /// `shutdown`, where the platform offers no S4 (or the user chose it): after the thaw,
  /// `power_down` calls `kernel_power_off`, whose `device_shutdown` waits for the probes under
  /// way and sends nothing (no hv driver has a shutdown callback, and `hv_machine_shutdown`
  /// unloads for kexec only); ACPI's S5 ends the QEMU process.
  case shutdown
  /// `suspend` (suspend-to-both): after the thaw writes the image, `power_down` suspends to
  /// RAM as `linux.suspend` does, and the kernel runs on after the wake; if the suspend
  /// fails (a channel on a secondary CPU), it takes `platform`'s path instead.
  case suspend
  /// `reboot`: after the thaw writes the image, `power_down` restarts the machine
  /// (`kernel_restart`, no UNLOAD); a boot kernel boots, finds the image
  /// (`software_resume`), quiesces the devices (`hibernation_restore`: UNLOAD) and hands over
  /// to the image kernel, which resumes. The one mode whose whole cycle one QEMU process
  /// sees.
  case reboot
  /// `test_resume`, a debugging mode: after the thaw writes the image, no `power_down`; the
  /// kernel reads the image back at once (`load_image_and_restore`): `hibernation_restore`
  /// quiesces the devices (UNLOAD) and the image kernel resumes, in the same machine.
  case testResume = "test_resume"
}
