import Testing
import VMBusHost
import VMBusWire

@testable import VMBusSim

/// `linux.suspend`: suspend-to-RAM as Linux 6.x runs it on QEMU (kernel/power/suspend.c,
/// drivers/hv/hv.c `hv_synic_cleanup`, drivers/hv/vmbus_drv.c `hv_synic_suspend`), and QEMU's
/// wake, which resets the machine (`pc_machine_wakeup`) under a kernel that runs on.
@Suite("LinuxGuestModel: suspend-to-RAM")
struct LinuxSuspendToRAMTests {
  typealias Run = LinuxGuestRun

  static let contact = ["INITIATE_CONTACT 4.0 conn 1", "REQUESTOFFERS"]

  /// `freeze_secondary_cpus` → `hv_synic_cleanup`: a connected kernel with a channel bound to
  /// CPU 1 (`init_vp_index` puts the second storvsc there) cannot take CPU 1 offline, so the
  /// suspend is aborted before S3: nothing is sent, QEMU is not reset, and probing is
  /// unblocked, so the unbind after it is answered.
  @Test("hv_synic_cleanup (hv.c): a channel on CPU 1 aborts the suspend, nothing sent")
  func aChannelOnASecondaryCPUAbortsTheSuspend() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc, name: sda}", "{class: storvsc, name: sdb}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: sda}", "linux.probe: {device: sdb}", "linux.suspend",
          "linux.remove: {device: sdb}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(
      run.notes.contains {
        $0.hasPrefix("freeze_secondary_cpus: Error taking CPU1 down: -16")
      }, "\(run.notes)")
    #expect(!run.run.events.contains(.simulator(.machineReset)))
    #expect(
      Array(run.linesWithoutBodies.suffix(2)) == [
        "CLOSECHANNEL relid 2", "GPADL_TEARDOWN relid 2 gpadl E1E11",
      ])
    #expect(run.received.last == "GPADL_TORNDOWN gpadl 925201")
  }

  /// With every channel on CPU 0 the suspend goes through: CPU 0's message page goes down
  /// (`hv_synic_suspend`), S3, and QEMU's wake resets the machine. The kernel still holds its
  /// connection and its open channel, so the unbind's GPADL_TEARDOWN meets a bus that is not
  /// initialized and is ignored: a hang a correct host would not cause.
  @Test("pc_machine_wakeup: the wake resets QEMU's bus; the next teardown hangs")
  func theWakeResetsTheBusUnderTheKernel() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: storvsc}", "linux.suspend", "linux.remove: {device: storvsc}",
        ]))
    #expect(run.outcome.kind == .guestHang, "\(run.outcome)")
    #expect(run.outcome.rootCause == .wakeupBusReset, "\(run.outcome)")
    #expect(run.outcome.owedReply == .gpadlTorndown)
    #expect(
      run.linesWithoutBodies == Self.contact + [
        "GPADL_HEADER E1E10 relid 1 pages 64", "OPENCHANNEL relid 1 gpadl E1E10 vp 0 offset 32",
        "CLOSECHANNEL relid 1", "GPADL_TEARDOWN relid 1 gpadl E1E10",
      ])
    let wake = try #require(run.entry(containing: "the machine enters S3"))
    #expect(
      run.run.transcript[wake].text.hasSuffix(
        "which drops the connection, 1 open channel(s) and 1 GPADL(s) the kernel still holds"))
    let down = try #require(run.entry(containing: "tears down its SynIC message page"))
    #expect(down < wake)
    #expect(run.run.events.filter { $0 == .simulator(.machineReset) }.count == 1)
  }

  /// `hv_kexec_handler` after the wake: the kernel is still CONNECTED, so it sends UNLOAD, and
  /// QEMU, whose wake released its SINT route, posts UNLOAD_RESPONSE through a NULL route.
  @Test("send_unload after the wake: kexec's UNLOAD crashes QEMU (no SINT route)")
  func kexecAfterTheWakeCrashesQEMU() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: hv-balloon}"],
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: hv-balloon}", "linux.suspend", "linux.kexec",
        ]))
    #expect(run.outcome.kind == .hostFault, "\(run.outcome)")
    #expect(
      run.outcome.message == "UNLOAD_RESPONSE posted with no SINT route (NULL dereference)",
      "\(run.outcome)")
    #expect(run.lines.last == "UNLOAD")
  }

  /// The hardened host keeps its bus across a wake (as QEMU's virtio-balloon skips a
  /// RESET_TYPE_WAKEUP reset): the same unbind is answered.
  @Test("the hardened host keeps its bus across the wake")
  func theHardenedHostKeepsItsBusAcrossTheWake() throws {
    let run = try Run(
      Run.yaml(
        devices: ["{class: storvsc}"], profile: "hardened",
        steps: [
          #"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers",
          "linux.probe: {device: storvsc}", "linux.suspend", "linux.remove: {device: storvsc}",
        ]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    #expect(!run.run.events.contains(.simulator(.machineReset)))
    #expect(
      run.notes.contains(
        "the machine enters S3 and wakes; the hardened host keeps its bus across the wake"))
    #expect(run.received.last == "GPADL_TORNDOWN gpadl 925200")
  }

  /// Hibernation's suspend mode (suspend-to-both, kernel/power/hibernate.c `power_down`):
  /// after the thaw writes the image, `suspend_devices_and_enter`. With every channel on
  /// CPU 0 it goes through: S3, QEMU's wake, and the kernel runs on with one UNLOAD sent in
  /// all. With a channel on CPU 1 the suspend fails, and `power_down` goes on in platform
  /// mode: the poweroff freeze (a second UNLOAD) and S4.
  @Test(
    "hibernate suspend mode: S3 after the thaw, or platform's S4 when the suspend fails",
    arguments: [false, true])
  func suspendToBoth(channelOnCPU1: Bool) throws {
    // `init_vp_index` puts the first storvsc channel on CPU 0, the second on CPU 1.
    let disks = channelOnCPU1 ? ["sda", "sdb"] : ["sda"]
    let run = try Run(
      Run.yaml(
        devices: disks.map { "{class: storvsc, name: \($0)}" },
        steps: [#"linux.connect: {versions: ["4.0"]}"#, "linux.request_offers"]
          + disks.map { "linux.probe: {device: \($0)}" } + ["linux.hibernate: {mode: suspend}"]))
    #expect(run.outcome.kind == .passed, "\(run.outcome)")
    let unloads = run.lines.filter { $0 == "UNLOAD" }.count
    let wake = run.entry(containing: "the machine enters S3")
    let resumed = try #require(run.entry(containing: "the hibernation image resumes"))
    if channelOnCPU1 {
      #expect(unloads == 2)
      #expect(wake == nil)
      #expect(run.notes.contains { $0.hasPrefix("freeze_secondary_cpus: Error taking CPU1 down") })
      #expect(run.outcome.message.contains("powered off (ACPI S4)"), "\(run.outcome)")
    } else {
      #expect(unloads == 1)
      #expect(try #require(wake) > resumed)
      #expect(!run.outcome.message.contains("powered off"), "\(run.outcome)")
    }
  }

  /// The freezer freezes a task only between two steps (back in user space): a task inside
  /// one (waiting uninterruptibly for a reply, or for a device lock) makes Linux fail the
  /// suspend, and the user tries again. The model's suspend waits for that task instead, so
  /// S3 never falls between one of its requests and the reply, whatever the schedule; and a
  /// task between two steps freezes there, so S3 may fall between an unbind and what was
  /// before it, or after the unbind if it had begun.
  @Test("the freezer: S3 never splits a request from its reply, and falls between two steps")
  func theFreezerWaitsForTheStepUnderWay() throws {
    // The suspend's task and the user's both begin once their device is bound, which
    // happens in any order against the host's work: the suspend meets the user's task
    // anywhere in its unbind and rebind.
    let yaml = """
      description: an unbind and a rebind race a suspend
      expect: passed
      host:
        vcpus: 1
        devices: [{class: hv-balloon}, {class: kvp}]
      guest: {kernel: "6.14", probe: steps}
      actors:
        - name: boot
          steps:
            - linux.connect
            - linux.request_offers
        - name: pm
          steps:
            - linux.probe: {device: kvp}
            - linux.suspend
        - name: user
          steps:
            - linux.probe: {device: hv-balloon}
            - linux.remove: {device: hv-balloon}
            - linux.probe: {device: hv-balloon}
      """
    let prepared = PreparedScenario(try ScenarioParser.parse(yaml, file: "linux-test.yaml"))
    let pairs = [
      ("GPADL_HEADER", "GPADL_CREATED"), ("OPENCHANNEL relid", "OPENCHANNEL_RESULT"),
      ("GPADL_TEARDOWN", "GPADL_TORNDOWN"),
    ]
    var afterTheUnbind = 0
    var beforeTheUnbind = 0
    for seed in 0..<40 as Range<UInt64> {
      let run = Run(Simulation.run(prepared, seed: seed))
      let texts = run.run.transcript.map(\.text)
      let wake = try #require(run.entry(containing: "the machine enters S3"), "seed \(seed)")
      var start = 0
      while let asked = texts[start...].firstIndex(where: { text in
        pairs.contains { text.hasPrefix($0.0) }
      }) {
        let reply = pairs.first { texts[asked].hasPrefix($0.0) }?.1 ?? ""
        let answered = texts[asked...].firstIndex { $0.hasPrefix(reply) } ?? texts.count
        #expect(
          !(asked..<answered).contains(wake),
          "seed \(seed): S3 between \(texts[asked]) and its \(reply)")
        start = asked + 1
      }
      // The user's steps, each whole on one side of S3: its task froze between two of them.
      let user = { (prefix: String) in
        texts.indices.filter { texts[$0].hasPrefix(prefix) && texts[$0].contains("relid 1 ") }
      }
      let binds = Array(zip(user("GPADL_HEADER"), user("OPENCHANNEL_RESULT")))
      for (asked, bound) in binds where asked < wake {
        #expect(bound < wake, "seed \(seed): S3 inside a bind")
      }
      let closed = texts.firstIndex { $0.hasPrefix("CLOSECHANNEL") }
      if let closed, closed < wake {
        let tornDown = texts[closed...].firstIndex { $0.hasPrefix("GPADL_TORNDOWN") } ?? texts.count
        #expect(tornDown < wake, "seed \(seed): S3 inside the unbind")
        afterTheUnbind += 1
      } else if let (_, bound) = binds.first, bound < wake {
        beforeTheUnbind += 1
      }
    }
    // The unbind under way delays the suspend, or the user's task freezes before it and
    // unbinds after the wake.
    #expect(afterTheUnbind > 0)
    #expect(beforeTheUnbind > 0)
  }
}
