import Foundation
import Testing
import VMBusTesting

/// `vmbus-sim run`: a scenario under the deterministic scheduler, stored as a session.
@Suite("run")
struct RunTests {
  static let outcomes: Set<String> = [
    "passed", "expectation_failed", "host_fault", "guest_hang", "guest_error",
  ]

  @Test(arguments: Repository.scenarioFiles)
  func everyBundledScenarioExitsZeroExactlyWhenItPasses(_ name: String) async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run("run", Repository.scenario(name), "--json")
      #expect(result.exited)
      #expect(result.stderr == "")
      #expect(result.lines.count == 1)
      let summary = try JSON.parse(result.stdout)
      #expect(
        summary.keys == [
          "session", "seed", "events", "outcome", "at_seq", "message", "root_cause", "signature",
          "beyond_qemu",
        ])
      #expect(summary["session"] == 1)
      #expect(summary["seed"] == 0)
      let events = try #require(summary["events"]?.int)
      #expect(events > 0)
      let outcome = try #require(summary["outcome"]?.string)
      #expect(Self.outcomes.contains(outcome))
      #expect(result.status == (outcome == "passed" ? 0 : 1))
      switch summary["at_seq"] {
      case .null: break
      case .integer(let seq): #expect((1...Int64(events)).contains(seq))
      default: Issue.record("at_seq is \(String(describing: summary["at_seq"]))")
      }
      #expect(summary["message"]?.string != nil)
      let stored = try JSON.parse(try await dir.run("sessions", "--json").stdout)
      #expect(stored["events"]?.int == events)
      #expect(stored["status"] == "complete")
      #expect(stored["outcome"]?.string == outcome)
    }
  }

  @Test func theBundledScenariosAreFound() {
    #expect(Repository.scenarioFiles.count >= 20)
    #expect(Repository.scenarioFiles.contains("linux-boot.yaml"))
  }

  @Test func aSeedIsEchoedAndReproducible() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("concurrent-opens.yaml")
      let first = try JSON.parse(try await dir.run("run", scenario, "--seed", "7", "--json").stdout)
      let second = try JSON.parse(
        try await dir.run("run", scenario, "--seed", "7", "--json").stdout)
      #expect(first["seed"] == 7)
      #expect(first["session"] == 1)
      #expect(second["session"] == 2)
      #expect(first["events"] == second["events"])
      let one = try await dir.run("export", "1", "--format", "jsonl")
      let two = try await dir.run("export", "2", "--format", "jsonl")
      #expect(one.status == 0)
      #expect(one.stdout == two.stdout)
    }
  }

  @Test func textOutputEndsWithTheSummary() async throws {
    try await TemporaryDirectory.with { dir in
      let passed = try await dir.run("run", Repository.scenario("linux-boot.yaml"))
      #expect(passed.status == 0)
      #expect(passed.stderr == "")
      #expect(passed.lines.last == "outcome: passed (as expected)")
      let fault = try await dir.run("run", Repository.scenario("qemu-unload.yaml"), "--quiet")
      #expect(fault.status == 1)
      #expect(fault.lines.count == 4)
      // send_unload posts UNLOAD_RESPONSE with no SINT route (QEMU §9.42).
      #expect(
        fault.lines.suffix(2).first
          == "signature: host_fault send_unload.no_sint_route @ vmbus_post_msg in unload")
      #expect(fault.lines.last?.hasPrefix("outcome: host_fault") == true)
      #expect(fault.lines.last?.hasSuffix("(as expected)") == true)
    }
  }

  @Test func aGuestErrorExitsOneAndNamesTheRuleItBroke() async throws {
    // QEMU §9.29 ignores the OPENCHANNEL; openvmm's UnknownChannelId sends nothing either.
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("guest-error-open-unknown-channel.yaml")
      let result = try await dir.run("run", scenario, "--json")
      #expect(result.status == 1)
      #expect(result.stderr == "")
      let summary = try JSON.parse(result.stdout)
      #expect(summary["outcome"] == "guest_error")
      #expect(summary["root_cause"] == "guest.open_unknown_channel")
      let stored = try JSON.parse(try await dir.run("sessions", "--json").stdout)
      #expect(stored["outcome"] == "guest_error")
      #expect(
        summary["message"]?.string
          == "actor linux: OPENCHANNEL for relid 7, which was never offered "
          + "(openvmm: UnknownChannelId; a correct host sends nothing)")
      let text = try await dir.run("run", scenario, "--quiet")
      #expect(text.status == 1)
      #expect(text.lines.suffix(2).first == "root cause: guest.open_unknown_channel")
      #expect(text.lines.last?.hasPrefix("outcome: guest_error") == true)
      #expect(text.lines.last?.hasSuffix("(as expected)") == true)
    }
  }

  @Test func aHangQEMUOwesNamesTheCheckThatDroppedTheRequest() async throws {
    // QEMU §9.17: handle_gpadl_header ignores two ranges; openvmm answers GPADL_CREATED.
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run(
        "run", Repository.scenario("qemu-gpadl-header-hang.yaml"), "--json")
      #expect(result.status == 1)
      let summary = try JSON.parse(result.stdout)
      #expect(summary["outcome"] == "guest_hang")
      #expect(summary["root_cause"] == "gpadl_header.range_shape")
      let passed = try JSON.parse(
        try await dir.run("run", Repository.scenario("linux-boot.yaml"), "--json").stdout)
      #expect(passed["root_cause"] == .null)
    }
  }

  /// ``ScenarioSamples/sameKeyOpens``: until the oracle kept a verdict per request, `run`
  /// (and `fuzz`, which found it) called this QEMU's hang.
  @Test func aSecondWaitAfterTwoRequestsWithOneKeyIsTheGuestsError() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("same-key.yaml", ScenarioSamples.sameKeyOpens)
      let result = try await dir.run("run", path, "--json")
      #expect(result.status == 1)
      let summary = try JSON.parse(result.stdout)
      #expect(summary["outcome"] == "guest_error")
      #expect(summary["root_cause"] == "guest.message_too_short")
      #expect(summary["message"]?.string?.contains("OPENCHANNEL of 25 bytes") == true)
      let checked = try await dir.runAsGiven(["check", path])
      #expect(checked.status == 0, "\(checked.stdout)")
    }
  }

  /// A GPADL_HEADER with two ranges, then two waits for GPADL_CREATED. QEMU drops the header
  /// (its hang, `gpadl_header.range_shape`); the hardened host answers it with a failure
  /// status, and the second wait is owed by nobody: not a failure, so `check` passes a file
  /// that expects the hang with no root cause.
  @Test func theHardenedHostOwesNothingAfterAnsweringWhatQEMUDrops() async throws {
    try await TemporaryDirectory.with { dir in
      func scenario(_ profile: String) -> String {
        """
        description: "a header QEMU drops, waited for twice"
        expect: {outcome: guest_hang}
        host: {profile: \(profile), devices: [{class: hv-balloon}]}
        actors:
          - name: guest
            steps:
              - linux.connect: {versions: ["4.0"]}
              - send: {type: GPADL_HEADER, gpadl_id: 0x100, pages: 1, pfn_count: 0, rangecount: 2}
              - wait: {for: GPADL_CREATED, match: {gpadl_id: 0x100}}
              - wait: {for: GPADL_CREATED, match: {gpadl_id: 0x100}}

        """
      }
      let hardened = try dir.write("hardened.yaml", scenario("hardened"))
      let summary = try JSON.parse(try await dir.run("run", hardened, "--json").stdout)
      #expect(summary["outcome"] == "guest_hang")
      #expect(summary["root_cause"] == .null)
      #expect(try await dir.runAsGiven(["check", hardened]).status == 0)
      let qemu = try dir.write("qemu.yaml", scenario("qemu"))
      let dropped = try JSON.parse(try await dir.run("run", qemu, "--json").stdout)
      #expect(dropped["root_cause"] == "gpadl_header.range_shape")
    }
  }

  static let brokenScenario = """
    name: broken
    host:
      profile: nope
    actors:
      - name: guest
        steps:
          - frobnicate: {}
    steps: []

    """

  /// The one step that reaches `vmbus_signal_event`: run, stored, exported as QEMU writes it;
  /// a connection id that is no number is an error at its value.
  @Test func aGuestSignalReachesTheBusNotifierTrace() async throws {
    try await TemporaryDirectory.with { dir in
      let run = try await dir.run("run", Repository.scenario("qemu-signal-event.yaml"), "--json")
      #expect(run.status == 0, "\(run.stderr)")
      let log = try await dir.run("export", "1", "--format", "qemu-log")
      #expect(log.status == 0)
      #expect(log.lines.contains { $0.contains("vmbus_signal_event") }, "\(log.stdout)")
      let path = try dir.write(
        "bad-signal.yaml",
        """
        description: a signal on a connection id that is no number
        expect: passed
        host: {devices: [{class: hv-balloon}]}
        actors:
          - name: guest
            steps:
              - signal_event: two

        """)
      let bad = try await CLI.run(["run", path, "--db", dir.database], in: dir.url)
      #expect(bad.status == 65)
      #expect(bad.stderr.contains(path + ":7:"), "\(bad.stderr)")
      #expect(bad.stderr.contains("signal_event"), "\(bad.stderr)")
    }
  }

  /// `linux.hibernate: {mode: reboot}` (docs/linux-guest-model.md): the thaw, a machine
  /// reset, the boot kernel's boot and quiesce, the image kernel's resume; `platform` mode's
  /// second UNLOAD and power-off; a mode the model does not have is refused where it is
  /// written.
  @Test func aHibernationThroughARebootRestoresTheImageAfterTheBootKernel() async throws {
    try await TemporaryDirectory.with { dir in
      let run = try await dir.run("run", Repository.scenario("linux-hibernate-reboot.yaml"))
      #expect(run.status == 0, "\(run.stderr)")
      let lines = run.lines
      let reset = try #require(lines.firstIndex { $0.hasSuffix("machine reset") })
      let handover = try #require(
        lines.firstIndex { $0.hasSuffix("the hibernation image is loaded and resumes") })
      #expect(reset < handover)
      // UNLOAD at the freeze and at the boot kernel's quiesce, none at the reset.
      let unloads = lines.indices.filter { lines[$0].contains("→ host            UNLOAD") }
      #expect(unloads.count == 2, "\(run.stdout)")
      #expect(unloads.first.map { $0 < reset } == true && unloads.last.map { $0 > reset } == true)
      #expect(lines.last == "outcome: passed (as expected)")

      // Platform mode: the poweroff freeze unloads again, then S4 ends the run.
      let platformYAML = """
        description: hibernation in platform mode
        expect: passed
        host: {devices: [{class: hv-balloon}]}
        guest: {kernel: "6.14", probe: auto}
        actors:
          - name: boot
            steps:
              - linux.connect
              - linux.request_offers
              - linux.hibernate: {mode: platform}

        """
      let platform = try dir.write("platform.yaml", platformYAML)
      let off = try await CLI.run(["run", platform, "--db", dir.database, "--json"], in: dir.url)
      #expect(off.status == 0, "\(off.stderr)")
      let summary = try JSON.parse(off.stdout)
      #expect(summary["outcome"] == "passed")
      #expect(summary["message"]?.string?.contains("powered off (ACPI S4)") == true)
      let log = try await dir.run("export", "2", "--format", "qemu-log")
      // UNLOAD at the freeze and at the poweroff.
      let platformUnloads = log.lines.filter {
        $0.hasSuffix("vmbus_process_incoming_message type 16")
      }
      #expect(platformUnloads.count == 2, "\(log.stdout)")

      // Shutdown mode: after the thaw, S5 with nothing sent; one UNLOAD in all.
      let shutdown = try dir.write(
        "shutdown.yaml",
        platformYAML.replacingOccurrences(of: "{mode: platform}", with: "{mode: shutdown}"))
      let s5 = try await CLI.run(["run", shutdown, "--db", dir.database, "--json"], in: dir.url)
      #expect(s5.status == 0, "\(s5.stderr)")
      #expect(try JSON.parse(s5.stdout)["message"]?.string?.contains("(ACPI S5)") == true)
      let s5Log = try await dir.run("export", "3", "--format", "qemu-log")
      #expect(
        s5Log.lines.filter { $0.hasSuffix("vmbus_process_incoming_message type 16") }.count == 1,
        "\(s5Log.stdout)")

      // test_resume mode: the image is read back at once; UNLOAD at the freeze and at the
      // quiesce, no machine reset, and the run goes on.
      let testResume = try dir.write(
        "test-resume.yaml",
        platformYAML.replacingOccurrences(of: "{mode: platform}", with: "{mode: test_resume}"))
      let resumed = try await CLI.run(["run", testResume, "--db", dir.database], in: dir.url)
      #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
      #expect(resumed.lines.filter { $0.contains("→ host            UNLOAD") }.count == 2)
      #expect(!resumed.stdout.contains("sim_machine_reset"))
      #expect(resumed.stdout.contains("the hibernation image is loaded and resumes"))

      let path = try dir.write(
        "bad-hibernate.yaml",
        """
        description: a hibernation mode Linux has but the model does not
        expect: passed
        host: {devices: [{class: hv-balloon}]}
        actors:
          - name: boot
            steps:
              - linux.connect
              - linux.hibernate: {mode: hybrid}

        """)
      let bad = try await CLI.run(["run", path, "--db", dir.database], in: dir.url)
      #expect(bad.status == 65)
      #expect(
        bad.stderr.contains(
          "\(path):8:33: error: linux.hibernate.mode: unknown mode 'hybrid'; "
            + "modes are thaw, platform, shutdown, suspend, reboot, test_resume"),
        "\(bad.stderr)")
    }
  }

  /// `linux.suspend` (docs/linux-guest-model.md): the bundled scenario's wake resets QEMU's
  /// bus under the kernel, whose later unbind hangs (exit 1, the outcome it expects); the
  /// same guest under the hardened host passes, and with a channel on CPU 1 the suspend is
  /// aborted and QEMU never sees S3.
  @Test func aSuspendToRAMLeavesTheKernelConnectedToABusQEMUReset() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-suspend-to-ram.yaml")
      let run = try await CLI.run(["run", scenario, "--db", dir.database, "--json"], in: dir.url)
      #expect(run.status == 1, "\(run.stderr)")
      let summary = try JSON.parse(run.stdout)
      #expect(summary["outcome"] == "guest_hang")
      #expect(summary["root_cause"] == "wakeup.bus_reset")
      #expect(
        summary["signature"]?["text"] == "guest_hang wakeup.bus_reset @ sim_machine_reset in listen"
      )
      let check = try await CLI.run(["check", scenario], in: dir.url)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      let transcript = try await CLI.run(["run", scenario, "--db", dir.database], in: dir.url)
      #expect(
        transcript.stdout.contains("the machine enters S3; QEMU wakes it with a machine reset"))

      let text = try String(contentsOfFile: scenario, encoding: .utf8)
      let hardened = try dir.write(
        "hardened.yaml",
        text.replacingOccurrences(of: "  vcpus: 2", with: "  profile: hardened\n  vcpus: 2")
          .replacingOccurrences(
            of: "  outcome: guest_hang\n  message: \"QEMU's wake from S3 reset the bus\"",
            with: "  outcome: passed"))
      let kept = try await CLI.run(["run", hardened, "--db", dir.database, "--json"], in: dir.url)
      #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")

      // A second storvsc takes CPU 1 (`init_vp_index`): `hv_synic_cleanup` refuses to take
      // it offline and the suspend is aborted, so the unbind is answered.
      let aborted = try dir.write(
        "aborted.yaml",
        text.replacingOccurrences(
          of: "    - class: storvsc\n",
          with: "    - {class: storvsc, name: sda}\n    - {class: storvsc, name: sdb}\n"
        )
        .replacingOccurrences(of: "{device: storvsc}", with: "{device: sda}")
        .replacingOccurrences(
          of: "  outcome: guest_hang\n  message: \"QEMU's wake from S3 reset the bus\"",
          with: "  outcome: passed"))
      let refused = try await CLI.run(["run", aborted, "--db", dir.database], in: dir.url)
      #expect(refused.status == 0, "\(refused.stdout)\(refused.stderr)")
      #expect(refused.stdout.contains("Error taking CPU1 down: -16"))
      #expect(!refused.stdout.contains("sim_machine_reset"))
    }
  }

  /// `linux.hvsock_connect` (docs/linux-guest-model.md): the bundled scenario's connect is
  /// refused at the hypercall, traced by `vmbus_recv_message` and stored; the run passes, and
  /// an exhaustive exploration of every order against the boot finds nothing.
  @Test func anHvsockConnectIsRefusedAtTheHypercall() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = Repository.scenario("linux-hvsock-connect.yaml")
      let run = try await CLI.run(["run", scenario, "--db", dir.database], in: dir.url)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(
        run.stdout.contains(
          "TL_CONNECT_REQUEST guest 00000400-facb-11e6-bd58-64006a7986d3 "
            + "host 00000016-facb-11e6-bd58-64006a7986d3 [invalid hypercall input (3)]"),
        "\(run.stdout)")
      #expect(run.stdout.contains("vmbus_recv_message type 21 size 40"))
      #expect(run.stdout.contains("hvs_connect: hv_post_msg() failed: connect() returns -EINVAL"))
      let explored = try await CLI.run(
        ["fuzz", scenario, "--exhaustive", "--no-regressions", "--db", dir.database, "--json"],
        in: dir.url)
      #expect(explored.status == 0, "\(explored.stderr)")
      let summary = try JSON.parse(explored.stdout)
      #expect(summary["complete"] == true)
      #expect(summary["failures"]?.elements.isEmpty == true, "\(explored.stdout)")
      #expect((summary["states"]?.int ?? 0) > 1_000)
    }
  }

  /// `linux.emergency_restart` (SysRq b) through the CLI: the committed regression file in
  /// which Linux reaches `machine_reset.queue_stalled` on QEMU 5.1 runs, fails as it records
  /// (exit 1), and `check` confirms it.
  @Test func anEmergencyRestartResetsTheMachineAtOnce() async throws {
    try await TemporaryDirectory.with { dir in
      let file = Repository.root.appendingPathComponent(
        "scenarios/regressions/linux-qemu-guest_hang-machine_reset.queue_stalled.yaml"
      ).path
      let run = try await CLI.run(["run", file, "--db", dir.database, "--json"], in: dir.url)
      #expect(run.status == 1, "\(run.stderr)")
      let summary = try JSON.parse(run.stdout)
      #expect(summary["root_cause"] == "machine_reset.queue_stalled")
      let transcript = try await CLI.run(["run", file, "--db", dir.database], in: dir.url)
      // No UNLOAD and no wait: the reset follows a GPADL_HEADER QEMU still holds.
      let lines = transcript.lines
      let reset = try #require(lines.firstIndex { $0.hasSuffix("machine reset") })
      #expect(!lines[..<reset].contains { $0.contains("→ host            UNLOAD") })
      #expect(lines[..<reset].contains { $0.contains("GPADL_HEADER") })
      let check = try await CLI.run(["check", file], in: dir.url)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
  }

  @Test func aBrokenScenarioReportsEveryErrorWithItsLocation() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let before = try StoreInspector.dump(dir.database)
      let path = try dir.write("broken.yaml", Self.brokenScenario)
      for arguments in [["run", path], ["run", path, "--json"]] {
        let result = try await CLI.run(arguments + ["--db", dir.database], in: dir.url)
        #expect(result.status == 65)
        #expect(result.stdout == "")
        #expect(result.errorLines.count >= 3, "\(result)")
        let located = try Regex(#"^(.+):[0-9]+:[0-9]+: error: .+"#)
        for line in result.errorLines {
          #expect(line.hasPrefix(path + ":") && line.contains(located), "\(line)")
        }
      }
      #expect(try StoreInspector.dump(dir.database) == before)
    }
  }

  @Test func aBrokenScenarioCreatesNoDatabase() async throws {
    try await TemporaryDirectory.with { dir in
      let path = try dir.write("broken.yaml", "name: [\n")
      let result = try await dir.run("run", path, "--json")
      #expect(result.status == 65)
      #expect(result.errorLines.count == 1)
      #expect(result.stderr.hasPrefix("\(path):"))
      #expect(!dir.exists("sessions.sqlite"))
    }
  }

  /// A missing input is EX_NOINPUT (66) for every command that reads scenarios, as for a
  /// missing trace or session.
  @Test func aMissingScenarioIsAnError() async throws {
    try await TemporaryDirectory.with { dir in
      let result = try await dir.run("run", dir.path("absent.yaml"), "--json")
      #expect(result.exited)
      #expect(result.status == 66)
      #expect(result.stdout == "")
      #expect(result.stderr.contains(dir.path("absent.yaml")))
      let fuzz = try await dir.run("fuzz", dir.path("absent.yaml"), "--no-regressions")
      #expect(fuzz.status == 66, "\(fuzz.stderr)")
      let check = try await CLI.run(["check", dir.path("absent.yaml")])
      #expect(check.status == 66, "\(check.stderr)")
    }
  }
}
