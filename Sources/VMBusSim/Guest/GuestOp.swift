import VMBusHost
import VMBusWire

/// One atomic thing an actor does in a scheduler step. Scenario steps compile to these.
enum GuestOp: Hashable, Sendable {
  /// Post a message; on a final failure jump to `onFailure` (nil: carry on).
  case post(MessageSpec, retry: RetryPolicy, onFailure: Int?)
  /// Wait for a host message.
  case waitFor(WaitSpec, onTimeout: TimeoutAction)
  /// Let virtual time pass.
  case sleep(VirtualDuration)
  /// Act on the environment.
  case environment(EnvironmentAction)
  /// Continue at `target`.
  case jump(to: Int)
  /// Continue at `target` if the last VERSION_RESPONSE refused the version.
  case jumpIfRefused(to: Int)
  /// Continue at `target` if the negotiated version is below `version` (or none).
  case jumpIfConnectedBelow(ProtocolVersion, to: Int)
  /// Remember the version the host accepted.
  case recordConnected(ProtocolVersion)
  /// End the run with an expectation failure.
  case fail(String)
  /// A step of Linux's `drivers/hv` that needs the kernel's state.
  case linux(LinuxOp)
}

/// The ops Linux's composite steps are made of, beyond posting and waiting: Linux's reply
/// matching, its per-channel state, its GPADLs and its kernel's lifetime.
enum LinuxOp: Hashable, Sendable {
  /// Link the request whose reply the actor awaits next into `chn_msg_list` (or re-arm the
  /// completion), before posting it: only a reply that arrives linked completes it.
  case link(LinkedReply)
  /// Wait for the linked reply; nil waits forever, else the wait ends after `timeout` and
  /// the actor goes on without it.
  case awaitLinked(timeout: VirtualDuration?)
  /// Continue at `target` if the reply just taken reports a failure (a non-zero
  /// `creation_status` or OPENCHANNEL_RESULT status).
  case jumpIfReplyFailed(to: Int)
  /// Continue at `target` unless the kernel is in `condition`.
  case jumpUnless(KernelCondition, to: Int)
  /// Take the next GPADL id for a purpose (`vmbus_establish_gpadl`).
  case allocateGpadl(GpadlPurpose, pages: UInt32)
  /// Post message `part` of a GPADL (0 is the header); on a failure continue at `onFailure`.
  case postGpadl(GpadlPurpose, part: Int, onFailure: Int)
  /// OPENCHANNEL for a channel with its ring GPADL; the target VP is `init_vp_index`'s
  /// unless given.
  case postOpen(DeviceChannel, targetVP: UInt32?, onFailure: Int)
  /// CLOSECHANNEL for a channel.
  case postClose(DeviceChannel, onFailure: Int)
  /// GPADL_TEARDOWN of the GPADL for a purpose.
  case postTeardown(GpadlPurpose, onFailure: Int)
  /// TL_CONNECT_REQUEST for a socket connecting to the host's vsock `remotePort`
  /// (`hvs_connect`).
  case postTLConnect(remotePort: UInt32, onFailure: Int)
  /// Set a channel's state.
  case setChannel(DeviceChannel, GuestKernel.ChannelState)
  /// Note whether the host created the GPADL for a purpose.
  case setCreated(GpadlPurpose, Bool)
  /// `vmbus_initiate_unload`'s check: continue at `skip` if the kernel unloaded already or
  /// negotiated a version that has no UNLOAD.
  case startUnload(skip: Int)
  /// Start or stop `vmbus_wait_for_unload`'s polling.
  case pollForUnload(Bool)
  /// `vmbus_wait_for_unload` clears every CPU's message slot before it returns.
  case clearMessageSlots
  /// Wait until the probes of every offered device are done (`wait_for_device_probe`).
  case awaitProbes
  /// `device_block_probing` (true) or `device_unblock_probing` (false): probes of devices
  /// offered in between are deferred until probing is unblocked.
  case blockProbing(Bool)
  /// Take a device's lock (`device_lock`), waiting while another probe or remove holds it.
  case lockDevice(String)
  /// Release a device's lock.
  case unlockDevice(String)
  /// Take `system_transition_mutex`, waiting while another transition holds it; with
  /// `busy`, a `mutex_trylock` that continues there instead of waiting.
  case lockSystemTransition(busy: Int?)
  /// Release `system_transition_mutex`.
  case unlockSystemTransition
  /// `kernel_kexec` takes the kexec lock, which it holds until the new kernel runs.
  case takeKexecLock
  /// A panic with no crash kernel to start: the other CPUs stop and the machine halts
  /// (`panic=0`), so the run ends.
  case haltAfterPanic
  /// `freeze_processes`: wait until every other task can freeze (between two steps, asleep,
  /// or finished), then freeze them. Linux's freezer cannot freeze a task inside a call (an
  /// uninterruptible wait for a reply, a device lock) and fails the transition; the user's
  /// later try is this wait's end.
  case freezeProcesses
  /// `thaw_processes`: the frozen tasks go on.
  case thawProcesses
  /// A task between two steps (back in user space): a frozen kernel stops it here until the
  /// thaw. Kernel workers (driver probes) do not freeze.
  case freezePoint
  /// Wait until the host offered a channel (the driver core probes on the offer); nil waits
  /// forever.
  case awaitOffer(DeviceChannel, timeout: VirtualDuration?)
  /// `vmbus_bus_resume` before 6.14: wait once, up to `timeout`, until every primary the
  /// image had open is offered again.
  case awaitResumeOffers(timeout: VirtualDuration)
  /// `vmbus_bus_suspend`: wait, with no timeout, until the host rescinded every sub-channel
  /// (`nr_chan_close_on_suspend`).
  case awaitSubchannelRescinds
  /// Note the channels open now, for the kernel's successor to reopen.
  case rememberOpenChannels
  /// Write the hibernation image: the kernel as it is now, for a boot kernel to restore.
  case saveHibernationImage
  /// `freeze_secondary_cpus`: each secondary CPU goes offline through `hv_synic_cleanup`,
  /// which refuses (-EBUSY) while the kernel is connected and a channel it was offered is
  /// bound to that CPU; then the suspend is aborted, and the walk continues at `onFailure`.
  case offlineSecondaryCPUs(onFailure: Int)
  /// ACPI S3 and the wake: QEMU resets the machine under the kernel, which runs on.
  case enterS3
  /// The machine enters ACPI S4 or S5, which QEMU takes as a shutdown request: the run ends.
  case powerOff(ACPISleepState)
  /// The kernel gives way to the next one.
  case restartKernel(GuestKernel.Restart)
  /// Expect the open just attempted to have ended with OPENCHANNEL_RESULT `status`.
  case expectOpenStatus(DeviceChannel, UInt32)
  /// A line in the transcript (a call that returned an error without sending anything).
  case log(String)
}

/// A reply Linux links a request for, as its handlers match it.
enum LinkedReply: Hashable, Sendable {
  /// `vmbus_onversion_response`: completes every INITIATE_CONTACT waiting.
  case versionResponse
  /// `vmbus_onoffers_delivered`: `all_offers_delivered_event`, which is never re-armed (a
  /// completion left over from an earlier ALLOFFERS_DELIVERED ends the next wait at once).
  case allOffersDelivered
  /// `vmbus_unload_response`: `unload_event`.
  case unloadResponse
  /// `vmbus_ongpadl_created`: matched on child relid and GPADL id.
  case gpadlCreated(GpadlPurpose)
  /// `vmbus_onopen_result`: matched on child relid and open id.
  case openResult(DeviceChannel)
  /// `vmbus_ongpadl_torndown`: matched on the GPADL id alone.
  case gpadlTorndown(GpadlPurpose)
}

/// A fact about the kernel a Linux step branches on.
enum KernelCondition: Hashable, Sendable {
  /// The channel is in this state.
  case channel(DeviceChannel, GuestKernel.ChannelState)
  /// The host offered the channel.
  case offered(DeviceChannel)
  /// The host created the GPADL for a purpose, and it was not torn down since.
  case created(GpadlPurpose)
  /// The channel was open when the previous kernel gave way.
  case openBeforeRestart(DeviceChannel)
  /// The connection negotiated at least this version.
  case connectedAtLeast(ProtocolVersion)
  /// The hibernation image saved this version.
  case savedVersion(ProtocolVersion)
  /// No kexec holds the kexec lock (`kexec_trylock` would succeed).
  case kexecLockFree
}

/// How an actor treats a failed HvPostMessage.
enum RetryPolicy: Hashable, Sendable {
  /// One attempt.
  case none
  /// Linux's `vmbus_post_msg`: up to 100 attempts on INSUFFICIENT_MEMORY/BUFFERS (and on
  /// INVALID_CONNECTION_ID except for INITIATE_CONTACT), backing off from 1 µs, doubling up
  /// to 2^21 µs.
  case linux(isContact: Bool)

  /// Whether `status` on attempt `attempt` (1-based) is retried, and after how long.
  func backoff(after status: HypercallStatus, attempt: Int) -> VirtualDuration? {
    guard case .linux(let isContact) = self, attempt < 100 else { return nil }
    let retried =
      status.rawValue == 11 || status == .insufficientBuffers
      || (status == .invalidConnectionID && !isContact)
    guard retried else { return nil }
    return .microseconds(1 << UInt64(min(attempt - 1, 21)))
  }
}

/// What an expired wait does.
enum TimeoutAction: Hashable, Sendable {
  /// The run fails (or passes, for a wait that expects the timeout).
  case fail
  /// Linux logs and carries on (ALLOFFERS_DELIVERED after 60 s, crash unload after 100 s).
  case proceed
}

/// An actor's compiled script, with each op's originating step for messages.
struct GuestProgram: Hashable, Sendable {
  var ops: [GuestOp] = []
  var origins: [SourceLocation?] = []

  mutating func append(_ op: GuestOp, from step: Step) {
    ops.append(op)
    origins.append(step.location)
  }

  var nextIndex: Int { ops.count }
}

/// The ACPI sleep state a power-off writes to PM1 control (`acpi_pm1_cnt_write`,
/// hw/acpi/core.c): QEMU takes both as a shutdown request.
package enum ACPISleepState: String, Hashable, Sendable {
  /// Hibernation's S4 (`hibernation_platform_enter`).
  case s4 = "S4"
  /// Soft off (`acpi_power_off`, from `kernel_power_off`).
  case s5 = "S5"
}
