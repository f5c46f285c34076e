import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// How Linux serializes its system transitions and quiets its tasks before one
/// (kernel/reboot.c and kernel/power: `system_transition_mutex`, `freeze_processes`;
/// drivers/base/core.c `device_shutdown`), and the emergency restart that skips all of it.
@Suite("LinuxGuestModel: system transitions")
struct LinuxSystemTransitionTests {
  typealias Run = LinuxGuestRun

  /// A 6.14 guest (which waits for every offer) with hv-balloon on one vCPU, and its actors'
  /// steps, in order.
  static func yaml(_ actors: KeyValuePairs<String, [String]>) -> String {
    let header = """
      description: concurrent tasks
      expect: passed
      host:
        vcpus: 1
        devices: [{class: hv-balloon}]
      guest: {kernel: "6.14", probe: steps}
      actors:

      """
    return header
      + actors.map { name, steps in
        "  - name: \(name)\n    steps:\n" + steps.map { "      - \($0)\n" }.joined()
      }.joined()
  }

  /// `boot` connects, asks for the offers and binds hv-balloon; `first` and `second` follow.
  static func yaml(first: [String], second: [String]) -> String {
    yaml([
      "boot": [
        #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
        "linux.probe: {device: hv-balloon}",
      ],
      "first": first, "second": second,
    ])
  }

  /// `boot` and `user`, whose steps bind hv-balloon if anything does.
  static func yaml(boot: [String], user: [String]) -> String {
    yaml(["boot": boot, "user": user])
  }

  /// A task frozen by a hibernation starts its suspend only after the thaw: S3 comes after
  /// the hibernation's resume has reopened the channel, never inside it.
  @Test("freeze_processes: a suspend asked for during a hibernation waits for its thaw")
  func aSuspendWaitsForAHibernation() throws {
    let prepared = PreparedScenario(
      try ScenarioParser.parse(
        Self.yaml(
          first: ["sleep: 1s", "linux.hibernate"],
          second: ["sleep: 1s", "sleep: 10us", "linux.suspend"]),
        file: "linux-test.yaml"))
    for seed in 0..<10 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      let wake = try #require(run.entry(containing: "the machine enters S3"), "seed \(seed)")
      let opens = run.posts.filter { $0.message.type == .openChannel }
      #expect(opens.count == 2, "seed \(seed)")
      #expect(opens.last.map { $0.entry < wake } == true, "seed \(seed): S3 inside the hibernation")
    }
  }

  /// A bind waiting for its device to be offered waits in user space: the freezer does not
  /// wait for it, and the suspend goes through. (Here it comes before the offers were asked
  /// for; after the wake QEMU ignores REQUESTOFFERS, 6.14's wait for the offers times out,
  /// and the device never appears, which nothing waits for.)
  @Test("freeze_processes: a bind waiting for its device does not hold the suspend")
  func aBindWaitingForItsDeviceFreezes() throws {
    let yaml = Self.yaml(
      boot: [#"linux.connect: {versions: ["4.0"]}"#, "linux.suspend", "linux.request_offers"],
      user: ["linux.probe: {device: hv-balloon}"])
    let run = try Run(yaml)
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(run.notes.contains { $0.contains("the machine enters S3") }, "\(run.notes)")
    #expect(!run.posts.contains { $0.message.type == .gpadlHeader })
  }

  /// The reboot syscall takes the mutex too (kexec): it waits for a hibernation under way,
  /// so the kexec's UNLOAD comes after the hibernation's resume, never inside it.
  @Test("reboot(2): a kexec waits for a hibernation under way")
  func aKexecWaitsForAHibernation() throws {
    let run = try Run(
      Self.yaml(
        first: ["sleep: 1s", "linux.hibernate"],
        second: ["sleep: 1s", "sleep: 10us", "linux.kexec"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let lines = run.linesWithoutBodies
    // The boot's probe, the hibernation's UNLOAD and reprobe, the kexec's UNLOAD, the new
    // kernel's probe.
    let unloads = lines.indices.filter { lines[$0] == "UNLOAD" }
    let opens = lines.indices.filter { lines[$0].hasPrefix("OPENCHANNEL") }
    #expect(unloads.count == 2 && opens.count == 3, "\(lines)")
    if unloads.count == 2 && opens.count == 3 {
      #expect(opens[0] < unloads[0] && unloads[0] < opens[1], "\(lines)")
      #expect(opens[1] < unloads[1] && unloads[1] < opens[2], "\(lines)")
    }
  }

  /// A crash while another task's kexec holds the kexec lock starts no crash kernel
  /// (`__crash_kexec` only tries the lock): the panic goes on, the other CPUs stop, and the
  /// machine halts. Here the kexec, which took the lock first, waits in `device_shutdown`
  /// for the user's bind, whose task then crashes while the kexec goes on.
  @Test("__crash_kexec: a crash during a kexec starts no crash kernel; the machine halts")
  func aCrashDuringAKexecHalts() throws {
    let yaml = Self.yaml(
      boot: [#"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers", "linux.kexec"],
      user: ["linux.probe: {device: hv-balloon}", "linux.kdump"])
    let prepared = PreparedScenario(try ScenarioParser.parse(yaml, file: "linux-test.yaml"))
    for seed in 0..<20 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      #expect(run.outcome.kind == .passed, "seed \(seed): \(run.outcome)")
      #expect(
        run.outcome.message == "the kernel panicked during a kexec and the machine halted",
        "seed \(seed): \(run.outcome)")
      // The kexec's new kernel may have begun; the crash started none.
      #expect(run.notes.filter { $0 == "a new kernel starts" }.count <= 1, "seed \(seed)")
    }
  }

  /// `device_shutdown` waits for the probes under way, blocks new ones and takes each
  /// device's lock: at a reboot's machine reset no probe or unbind has a request in flight.
  /// An emergency restart (SysRq b) waits for nothing.
  @Test(
    "device_shutdown: nothing in flight at a reboot's reset; an emergency restart waits for nothing",
    arguments: [("linux.reboot", false), ("linux.emergency_restart", true)])
  func aRebootWaitsForWhatIsUnderWay(step: String, mayInterrupt: Bool) throws {
    let yaml = """
      description: a restart while drivers probe
      expect: passed
      host:
        vcpus: 1
        devices: [{class: netvsc}, {class: storvsc}]
      guest: {kernel: "6.12", probe: auto}
      actors:
        - name: boot
          steps:
            - linux.connect: {versions: ["4.0"]}
            - linux.request_offers
            - \(step)
      """
    let prepared = PreparedScenario(try ScenarioParser.parse(yaml, file: "linux-test.yaml"))
    var interrupted = 0
    for seed in 0..<60 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      let reset = try #require(
        run.run.transcript.firstIndex { $0.text.contains("machine reset") }, "seed \(seed)")
      let before = run.posts.filter { $0.entry < reset && $0.status == .success }
      let asked = before.filter {
        [.gpadlHeader, .openChannel].contains($0.message.type)
      }.count
      let answered = run.run.transcript[..<reset].filter {
        $0.direction == .hostToGuest
          && ($0.text.hasPrefix("GPADL_CREATED") || $0.text.hasPrefix("OPENCHANNEL_RESULT"))
      }.count
      if asked > answered { interrupted += 1 }
      if !mayInterrupt {
        #expect(asked == answered, "seed \(seed): a request in flight at the reset")
      }
      #expect(!before.contains { $0.message.type == .unload }, "seed \(seed): no UNLOAD")
    }
    #expect(mayInterrupt ? interrupted > 0 : interrupted == 0)
  }

  /// Linux mode puts restarts and suspends in the actor that boots the kernel, where they
  /// follow each other; other mutations go anywhere.
  @Test("the Linux mutator puts system transitions in the booting actor only")
  func transitionsGoToTheBootingActor() throws {
    let base = try ScenarioParser.parse(
      Self.yaml(first: ["sleep: 1s"], second: ["sleep: 2s"]), file: "linux-test.yaml")
    var elsewhere = 0
    for seed in 0..<400 as Range<UInt64> {
      var mutator = ScenarioMutator(seed: seed, scenario: base, inputs: .linux)
      let mutated = mutator.mutate(base)
      for actor in mutated.actors where actor.name != "boot" {
        for step in actor.steps {
          switch step.action {
          case .linux(.kexec), .linux(.kdump), .linux(.hibernate), .linux(.reboot),
            .linux(.emergencyRestart), .linux(.suspend):
            Issue.record("seed \(seed): \(step.action) in \(actor.name)")
          case .linux(.remove), .linux(.hvsockConnect): elsewhere += 1
          default: break
          }
        }
      }
    }
    #expect(elsewhere > 0)
  }
}
