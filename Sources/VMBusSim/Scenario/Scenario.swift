import VMBusHost
import VMBusWire

/// A guest scenario: the host to build, the guest actors to run against it, and what should
/// happen. Parsed from a YAML file under `scenarios/` (see docs/scenarios.md).
package struct Scenario: Hashable, Sendable {
  /// Short name, by default the file's base name.
  package var name: String
  /// One line saying what the scenario exercises.
  package var description: String
  /// The outcome the scenario expects when run (the test suite checks it).
  package var expected: ExpectedOutcome
  /// The host: profile, vCPUs and devices.
  package var host: HostSpec
  /// The guest's Linux release and how its drivers probe (what `linux.*` steps do).
  package var guest: GuestSpec
  /// Probabilities of environment faults the scheduler draws from.
  package var faults: FaultSettings
  /// The guest's concurrent actors, each a sequential script.
  package var actors: [ActorScript]
  /// Bounds that turn a livelock into a result.
  package var limits: RunLimits
  /// For a regression file: the exact run to reproduce (seed, choices, expected events).
  package var regression: RegressionRecord?

  package init(
    name: String, description: String, expected: ExpectedOutcome = ExpectedOutcome(.passed),
    host: HostSpec, guest: GuestSpec = GuestSpec(), faults: FaultSettings = FaultSettings(),
    actors: [ActorScript], limits: RunLimits = RunLimits()
  ) {
    self.guest = guest
    self.name = name
    self.description = description
    self.expected = expected
    self.host = host
    self.faults = faults
    self.actors = actors
    self.limits = limits
  }
}

/// What puts a scenario beyond what an unmodified Linux guest and its machine do.
package enum BeyondLinux: Hashable, Sendable {
  /// A step Linux does not take: a raw message, a plain wait, an environment action other
  /// than a busy message slot or a migration.
  case step(Step)
  /// `faults.message_page_missing`: Linux tears its message page down only as its kernel
  /// goes away, never while it talks.
  case messagePageFaults
  /// `host.vcpus_without_synic`: QEMU's SynIC is the whole machine's (`hv-synic`), and a
  /// Linux without SynIC does not load `hv_vmbus`.
  case vcpusWithoutSynIC

  /// Why, as a message names it.
  package var reason: String {
    switch self {
    case .step: "this step is not a linux.* step"
    case .messagePageFaults:
      "faults.message_page_missing takes the message page away, which Linux never does while it talks"
    case .vcpusWithoutSynIC:
      "host.vcpus_without_synic gives vCPUs no SynIC, and without one Linux does not load hv_vmbus"
    }
  }
}

extension Scenario {
  /// The first thing that is not Linux's own, or nil for a scenario an unmodified Linux
  /// guest could run as it is, on a machine that only does what Linux mode does to it: a
  /// busy slot (another message is there) and a migration are not the guest's doing.
  package var beyondLinux: BeyondLinux? {
    for actor in actors {
      for step in actor.steps {
        switch step.action {
        case .linux, .sleep, .environment(.slotBusy), .environment(.migrate): continue
        case .send, .wait, .environment: return .step(step)
        }
      }
    }
    if faults.messagePageMissing > 0 { return .messagePageFaults }
    if !host.vcpusWithoutSynIC.isEmpty { return .vcpusWithoutSynIC }
    return nil
  }
}

/// What a regression file pins down beyond its scenario: the run the fuzzer found, minimal.
package struct RegressionRecord: Hashable, Sendable {
  /// The seed the case was found with (the scheduler's fallback stream).
  package var seed: UInt64
  /// Every scheduler and fault decision of the run; past them, each decision takes 0.
  package var choices: [UInt32]
  /// The property the run breaks (`host_fault`, `guest_hang`, ...).
  package var property: String
  /// The failure's signature, as `fuzz` groups failures (an old-form string in files
  /// written before root causes).
  package var signature: RecordedSignature
  /// The expected event stream, one line per event as `replay` prints it.
  package var events: [String]

  package init(
    seed: UInt64, choices: [UInt32], property: String, signature: RecordedSignature,
    events: [String]
  ) {
    self.seed = seed
    self.choices = choices
    self.property = property
    self.signature = signature
    self.events = events
  }
}

/// How a run ended.
package enum OutcomeKind: String, CaseIterable, Hashable, Sendable, Codable {
  /// Every actor finished its script and every expectation held.
  case passed
  /// An expectation on what the host sent failed, or a wait timed out.
  case expectationFailed = "expectation_failed"
  /// The host crashed or aborted.
  case hostFault = "host_fault"
  /// An actor waits for a reply that nothing enabled can ever produce, and a correct host
  /// would have sent it: the host's fault.
  case guestHang = "guest_hang"
  /// An actor waits for a reply to a request that broke the protocol (a correct host sends
  /// nothing either): the guest's fault, never reported as a host failure.
  case guestError = "guest_error"
  /// The host posted a reply the guest already had, to a request it did not make again:
  /// the host's fault.
  case duplicateReply = "duplicate_reply"
}

/// What a scenario expects: an outcome, optionally with a fragment of its message.
package struct ExpectedOutcome: Hashable, Sendable {
  package var kind: OutcomeKind
  /// When set, the outcome's message must contain this text (e.g. a fault's cause).
  package var messageContains: String?

  package init(_ kind: OutcomeKind, messageContains: String? = nil) {
    self.kind = kind
    self.messageContains = messageContains
  }
}

/// The simulated host.
package struct HostSpec: Hashable, Sendable {
  package var profile: HostProfile
  /// The QEMU release whose machine reset the `qemu` profile follows (docs/host-model.md).
  package var qemuRelease: QEMURelease
  package var vcpus: UInt32
  /// VP indexes whose SynIC is off (route set-up to them fails cleanly).
  package var vcpusWithoutSynIC: [UInt32]
  /// Devices, realized in order at start.
  package var devices: [DeviceSpec]

  package init(
    profile: HostProfile = .qemu, qemuRelease: QEMURelease = .current, vcpus: UInt32 = 2,
    vcpusWithoutSynIC: [UInt32] = [], devices: [DeviceSpec]
  ) {
    self.profile = profile
    self.qemuRelease = qemuRelease
    self.vcpus = vcpus
    self.vcpusWithoutSynIC = vcpusWithoutSynIC
    self.devices = devices
  }

  /// The machine configuration the host model checks vCPU indexes against.
  package var machine: MachineConfig {
    MachineConfig(
      vcpuCount: vcpus, vcpusWithoutSynIC: vcpusWithoutSynIC, qemuRelease: qemuRelease)
  }
}

/// A device in a scenario; `name` is how steps refer to it.
package struct DeviceSpec: Hashable, Sendable {
  /// The name steps use (`device: netvsc`); defaults to the class name.
  package var name: String
  package var config: DeviceConfig

  package init(name: String, config: DeviceConfig) {
    self.name = name
    self.config = config
  }
}

/// Fault probabilities, each drawn from the run's seeded generator.
package struct FaultSettings: Hashable, Sendable {
  /// Probability that a delivery finds the guest's SINT slot busy (QEMU then sees -11).
  package var slotBusy: Double
  /// Probability that a delivery finds no SynIC message page (QEMU then sees -6).
  package var messagePageMissing: Double

  package init(slotBusy: Double = 0, messagePageMissing: Double = 0) {
    self.slotBusy = slotBusy
    self.messagePageMissing = messagePageMissing
  }
}

/// Bounds on a run.
package struct RunLimits: Hashable, Sendable {
  /// Scheduler steps before a run that has not ended counts as a hang.
  package var maxSteps: Int
  /// Virtual time before a run that has not ended counts as a hang.
  package var maxTime: VirtualDuration

  package init(maxSteps: Int = 100_000, maxTime: VirtualDuration = .seconds(3600)) {
    self.maxSteps = maxSteps
    self.maxTime = maxTime
  }
}

/// One guest actor: a vCPU or work item running its steps in order.
package struct ActorScript: Hashable, Sendable {
  package var name: String
  package var steps: [Step]

  package init(name: String, steps: [Step]) {
    self.name = name
    self.steps = steps
  }
}

/// Where a step came from in its file, for error messages.
package struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  package var line: Int
  package var column: Int

  package init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  package static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }

  package var description: String { "\(line):\(column)" }
}
