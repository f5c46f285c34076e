import Testing

@testable import VMBusSim

/// Invalid files: each kind of problem with its exact `file:line:col: error:` text.
@Suite("Scenario parser errors")
struct ScenarioParserErrorTests {
  /// A valid file around `steps`; the first step is on line 11, column 9.
  static func document(steps: String) -> String {
    let indented = steps.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n")
    return """
      description: d
      expect: passed
      host:
        devices:
          - class: netvsc
            channels: 2
          - class: storvsc
      actors:
        - name: a
          steps:
      \(indented)
      """
  }

  /// The printed errors for `text`, or a failure when it parses.
  static func errors(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
    -> [String]
  {
    do {
      let scenario = try ScenarioParser.parse(text, file: "t.yaml")
      Issue.record("parsed: \(scenario)", sourceLocation: sourceLocation)
      return []
    } catch {
      return error.errors.map(\.description)
    }
  }

  static let stepCases: [(String, String)] = [
    (
      "- linux.open: {device: netvc}",
      "11:30: error: linux.open: unknown device 'netvc'; devices are netvsc, storvsc"
    ),
    (
      "- linux.open: {device: storvsc, subchannel: 1}",
      "11:51: error: linux.open: storvsc has no subchannel 1; it has 1 channel"
    ),
    (
      "- linux.close: {device: netvsc, subchannel: 2}",
      "11:51: error: linux.close: netvsc has no subchannel 2; it has 2 channels"
    ),
    (
      "- linux.open: {device: netvsc, ring_pages: 63}",
      "11:50: error: linux.open.ring_pages: expected an even number of at least 4 (two rings "
        + "with their header pages), found 63"
    ),
    (
      "- linux.connect: {versions: [\"4.0\", \"four\"]}",
      "11:43: error: linux.connect.versions: expected a version such as \"4.0\", found 'four'"
    ),
    (
      "- linux.connect: {versions: []}",
      "11:35: error: linux.connect.versions: expected at least one version"
    ),
    (
      "- linux.unload: {mode: reboot}",
      "11:30: error: linux.unload.mode: unknown mode 'reboot'; modes are kexec, crash"
    ),
    (
      "- linux.hibernate: {mode: hybrid}",
      "11:33: error: linux.hibernate.mode: unknown mode 'hybrid'; modes are thaw, platform, "
        + "shutdown, suspend, reboot, test_resume"
    ),
    (
      "- linux.hibernate: {resume: now}",
      "11:27: error: linux.hibernate: unknown key 'resume'; keys are mode"
    ),
    (
      "- linux.request_offers: {wait: yes}",
      "11:38: error: linux.request_offers.wait: expected true or false, found 'yes'"
    ),
    (
      "- linux.open",
      "11:9: error: linux.open: missing key 'device'"
    ),
    (
      "- linux.opne: {device: netvsc}",
      "11:9: error: actors.steps: unknown step 'linux.opne'; steps are linux.connect, "
        + "linux.request_offers, linux.open, linux.close, linux.unload, linux.probe, "
        + "linux.remove, linux.kexec, linux.kdump, linux.hibernate, linux.reboot, "
        + "linux.emergency_restart, linux.suspend, linux.hvsock_connect, send, wait, sleep, slot_busy, teardown_message_page, restore_message_page, machine_reset, "
        + "device_reset, device_added, corrupt_ring, migrate, signal_event"
    ),
    (
      "- send: {type: UNLOAD}\n  wait: UNLOAD_RESPONSE",
      "11:9: error: actors.steps: a step has one key, found 'send', 'wait'; start each step "
        + "with '- '"
    ),
    (
      "- [sleep, 5ms]",
      "11:9: error: actors.steps: expected a step such as machine_reset or sleep: 5ms, "
        + "found a list"
    ),
    (
      "- send: {type: GPADL_HEADR}",
      "11:22: error: send.type: unknown message type 'GPADL_HEADR'"
    ),
    (
      "- send: {type: OPENCHANNEL, gpadl_id: 1}",
      "11:35: error: send: gpadl_id is not a field of OPENCHANNEL (5); the fields of "
        + "OPENCHANNEL (5) are child_relid, open_id, ring_buffer_gpadl_id, target_vp, "
        + "ring_buffer_offset"
    ),
    (
      "- send: {type: UNLOAD, child_relid: 1}",
      "11:30: error: send: child_relid is not a field of UNLOAD (16); UNLOAD (16) has no "
        + "fields to set (use payload)"
    ),
    (
      "- send: {type: CLOSECHANNEL, relid: 1}",
      "11:36: error: send: unknown key 'relid'; keys are type, payload, truncate, "
        + "connection_id, synic_type, payload_size and message fields; the fields of "
        + "CLOSECHANNEL (7) are child_relid"
    ),
    (
      "- send: {type: GPADL_HEADER, rangecount: 0x10000}",
      "11:48: error: send.rangecount: expected a number from 0 to 65535, found '0x10000'"
    ),
    (
      "- send: {type: INITIATE_CONTACT, version_requested: 4.x}",
      "11:59: error: send.version_requested: expected a number, relid(NAME), relid(NAME, N), "
        + "ring_gpadl(NAME) or ring_gpadl(NAME, N), found '4.x'"
    ),
    (
      "- send: {type: CLOSECHANNEL, child_relid: relid(net0)}",
      "11:49: error: send.child_relid: relid(net0): unknown device 'net0'; devices are "
        + "netvsc, storvsc"
    ),
    (
      "- send: {type: CLOSECHANNEL, child_relid: \"relid(netvsc, 9)\"}",
      "11:49: error: send.child_relid: relid(netvsc, 9): netvsc has no subchannel 9; it has "
        + "2 channels"
    ),
    (
      "- send: {type: CLOSECHANNEL, child_relid: \"relid(netvsc, x y)\"}",
      "11:49: error: send.child_relid: expected a subchannel from 0 to 65535 in "
        + "'relid(netvsc, x y)', found 'x y'"
    ),
    (
      "- send: {type: CLOSECHANNEL, child_relid: owner(netvsc)}",
      "11:49: error: send.child_relid: expected a number, relid(NAME), relid(NAME, N), "
        + "ring_gpadl(NAME) or ring_gpadl(NAME, N), found 'owner(netvsc)'"
    ),
    (
      "- send: {type: 22, payload: \"123\"}",
      "11:35: error: send.payload: expected hex bytes such as 0100000002000000, found '123'"
    ),
    (
      "- send: {type: CLOSECHANNEL, child_relid: 1, payload: \"00\"}",
      "11:52: error: send: payload replaces the whole message after its header; drop it or "
        + "'child_relid'"
    ),
    (
      "- send: {type: 22, truncate: -1}",
      "11:36: error: send.truncate: expected a number from 0 to 9223372036854775807, found '-1'"
    ),
    (
      "- wait: {timeout: 1s}",
      "11:15: error: wait: missing key 'for'"
    ),
    (
      "- wait: {for: GPADL_TORNDOWN, expect: {status: 0}}",
      "11:46: error: wait.expect: status is not a field of GPADL_TORNDOWN (12); the fields of "
        + "GPADL_TORNDOWN (12) are gpadl_id"
    ),
    (
      "- wait: {for: OPENCHANNEL_RESULT, match: {relid: 1}}",
      "11:49: error: wait.match: unknown key 'relid'; the fields of OPENCHANNEL_RESULT (6) "
        + "are child_relid, open_id, status"
    ),
    (
      "- wait: {for: GPADL_TORNDOWN, match: {gpadl_id: ring_gpadl(disk)}}",
      "11:55: error: wait.match.gpadl_id: ring_gpadl(disk): unknown device 'disk'; devices "
        + "are netvsc, storvsc"
    ),
    (
      "- wait: {for: GPADL_CREATED, expect_timeout: true}",
      "11:36: error: wait: expect_timeout needs a timeout"
    ),
    (
      "- wait: {for: VERSION_RESPONSE, timeout: soon}",
      "11:48: error: wait.timeout: expected a duration such as 10ms, 5us or 1s, found 'soon'"
    ),
    (
      "- sleep: 5 minutes",
      "11:16: error: sleep: expected a duration such as 10ms, 5us or 1s, found '5 minutes'"
    ),
    (
      "- sleep: 99999999999999999",
      "11:16: error: sleep: expected a duration such as 10ms, 5us or 1s, "
        + "found '99999999999999999'"
    ),
    (
      "- sleep",
      "11:9: error: sleep: expected a duration such as 10ms, found nothing"
    ),
    (
      "- slot_busy: 0",
      "11:20: error: slot_busy: expected a number from 1 to 9223372036854775807, found '0'"
    ),
    (
      "- teardown_message_page: {now: true}",
      "11:32: error: teardown_message_page: takes no arguments, found a mapping"
    ),
    (
      "- linux.suspend: {state: deep}",
      "11:24: error: linux.suspend: takes no arguments, found a mapping"
    ),
    (
      "- linux.hvsock_connect",
      "11:9: error: linux.hvsock_connect: missing key 'port'"
    ),
    (
      "- linux.hvsock_connect: {port: -1}",
      "11:38: error: linux.hvsock_connect.port: expected a number from 0 to 4294967295, found '-1'"
    ),
    (
      "- device_reset: {}",
      "11:23: error: device_reset: missing key 'device'"
    ),
    (
      "- corrupt_ring: {device: \"net vsc\"}",
      "11:32: error: corrupt_ring.device: expected a device name of letters, digits, '-', '_' "
        + "or '.', found 'net vsc'"
    ),
    (
      "- device_added: {class: storvsc}",
      "11:31: error: device_added: device name 'storvsc' is already used; give each device "
        + "its own name"
    ),
    (
      "- device_added: disk",
      "11:23: error: device_added: expected a mapping, found 'disk'"
    ),
  ]

  @Test("each step problem is reported at its value", arguments: stepCases)
  func stepProblem(steps: String, expected: String) {
    #expect(Self.errors(Self.document(steps: steps)) == ["t.yaml:\(expected)"])
  }

  @Test("an operand with a comma inside { } must be quoted")
  func unquotedOperand() {
    let steps = "- send: {type: CLOSECHANNEL, child_relid: relid(storvsc, 0)}"
    #expect(
      Self.errors(Self.document(steps: steps)) == [
        "t.yaml:11:49: error: send.child_relid: unterminated 'relid(storvsc'; inside { } quote "
          + "an operand that has a comma: \"relid(netvsc, 1)\"",
        "t.yaml:11:64: error: send: unknown key '0)'; keys are type, payload, truncate, "
          + "connection_id, synic_type, payload_size and message fields; the fields of "
          + "CLOSECHANNEL (7) are child_relid",
      ])
  }

  @Test("every host and device problem in one file, in file order")
  func hostProblems() {
    let text = """
      description: d
      expect: passed
      host:
        profile: kvm
        vcpus: 0
        devices:
          - class: netvc
          - class: netvsc
            class_id: f8615163-df3e-46c5-913f-f2d2f965ed0e
          - class_id: 11111111-2222-3333-4444-555555555555
          - class: storvsc
            instance: not-a-guid
            channels: 0
            open_fails: yes
            mmio_mb: 65536
          - class: storvsc
          - {clas: kvp}
      actors: [{name: a, steps: [machine_reset]}]
      """
    #expect(
      Self.errors(text) == [
        "t.yaml:4:12: error: host.profile: unknown profile 'kvm'; profiles are qemu, hardened",
        "t.yaml:5:10: error: host.vcpus: expected a number from 1 to 4294967295, found '0'",
        "t.yaml:7:14: error: host.devices.class: unknown device class 'netvc'; classes are "
          + "netvsc, storvsc, hv-balloon, kvp, heartbeat, shutdown, timesync",
        "t.yaml:8:7: error: host.devices: give class or class_id, not both",
        "t.yaml:10:7: error: host.devices: missing key 'name' (a device given by class_id "
          + "needs one)",
        "t.yaml:12:17: error: host.devices.instance: expected a GUID such as "
          + "f8615163-df3e-46c5-913f-f2d2f965ed0e, found 'not-a-guid'",
        "t.yaml:13:17: error: host.devices.channels: expected a number from 1 to 65535, "
          + "found '0'",
        "t.yaml:14:19: error: host.devices.open_fails: expected true or false, found 'yes'",
        "t.yaml:15:16: error: host.devices.mmio_mb: expected a number from 0 to 65535, "
          + "found '65536'",
        "t.yaml:16:14: error: host.devices: device name 'storvsc' is already used; give each "
          + "device its own name",
        "t.yaml:17:7: error: host.devices: missing key 'class' (or 'class_id')",
        "t.yaml:17:8: error: host.devices: unknown key 'clas'; keys are class, class_id, name, "
          + "instance, channels, channel_flags, mmio_mb, open_fails",
      ])
  }

  @Test("problems in steps, the host and devices named later come out in file order")
  func fileOrder() {
    let text = """
      description: d
      expect: passed
      actors:
        - name: a
          steps:
            - linux.open: {device: netvc}
            - sleep: forever
      host:
        vcpus: two
        devices: [{class: netvsc}]
      """
    #expect(
      Self.errors(text) == [
        "t.yaml:6:30: error: linux.open: unknown device 'netvc'; devices are netvsc",
        "t.yaml:7:16: error: sleep: expected a duration such as 10ms, 5us or 1s, "
          + "found 'forever'",
        "t.yaml:9:10: error: host.vcpus: expected a number from 1 to 4294967295, found 'two'",
      ])
  }

  static let documentCases: [(String, [String])] = [
    (
      "descripton: d\nexpect: passed\nhost: {devices: []}\nactors: [{name: a, steps: [machine_reset]}]",
      [
        "t.yaml:1:1: error: unknown key 'descripton'; keys are name, description, expect, host, "
          + "guest, faults, limits, actors, regression",
        "t.yaml:1:1: error: missing key 'description'",
      ]
    ),
    (
      "name: two words\ndescription: \"\"\nexpect: pass\nhost: [netvsc]\nactors: []",
      [
        "t.yaml:1:7: error: name: expected a name of letters, digits, '-', '_' or '.', found "
          + "'two words'",
        "t.yaml:2:14: error: description: must not be empty, found ''",
        "t.yaml:3:9: error: expect: unknown outcome 'pass'; outcomes are passed, "
          + "expectation_failed, host_fault, guest_hang, guest_error, duplicate_reply",
        "t.yaml:4:7: error: host: expected a mapping, found a list",
        "t.yaml:5:9: error: actors: expected at least one actor",
      ]
    ),
    (
      "description: \"a\\nb\"\nexpect: {message: x}\nhost: {devices: []}\nactors: [{name: a, steps: [machine_reset]}]",
      [
        "t.yaml:1:14: error: description: must be one line, found 'a\\nb'",
        "t.yaml:2:9: error: expect: missing key 'outcome'",
      ]
    ),
    (
      """
      description: d
      expect: passed
      host: {vcpus: 2, vcpus_without_synic: [0, 2], devices: []}
      faults: {slot_busy: 1.5, message_page_missing: nan}
      limits: {max_steps: 0, max_time: 0s}
      actors: [{name: a, steps: [machine_reset]}]
      """,
      [
        "t.yaml:3:43: error: host.vcpus_without_synic: vCPU 2 does not exist; vcpus is 2",
        "t.yaml:4:21: error: faults.slot_busy: expected a probability from 0 to 1, found '1.5'",
        "t.yaml:4:48: error: faults.message_page_missing: expected a probability from 0 to 1, "
          + "found 'nan'",
        "t.yaml:5:21: error: limits.max_steps: expected a number from 1 to 9223372036854775807, "
          + "found '0'",
        "t.yaml:5:34: error: limits.max_time: must be more than 0",
      ]
    ),
    (
      """
      description: d
      expect: passed
      host: {devices: []}
      actors:
        - name: a
          steps: []
        - name: a
          steps: [machine_reset]
        - steps: [machine_reset]
      """,
      [
        "t.yaml:6:12: error: actors.steps: expected at least one step",
        "t.yaml:7:11: error: actors.name: actor 'a' is already defined at 5:11",
        "t.yaml:9:5: error: actors: missing key 'name'",
      ]
    ),
    (
      "description: d\nexpect: passed\nhost: {devices: [}\nactors: []",
      [
        "t.yaml:3:18: error: invalid yaml: while parsing a flow node at 3:18, did not find "
          + "expected node content"
      ]
    ),
    (
      "description: d\ndescription: e\n",
      ["t.yaml:1:1: error: duplicate key 'description'"]
    ),
    (
      "description: d\n\u{1}",
      ["t.yaml:2:1: error: invalid yaml: control characters are not allowed"]
    ),
    (
      "",
      [
        "t.yaml:1:1: error: missing key 'description'", "t.yaml:1:1: error: missing key 'expect'",
        "t.yaml:1:1: error: missing key 'host'", "t.yaml:1:1: error: missing key 'actors'",
      ]
    ),
    ("hello", ["t.yaml:1:1: error: expected a mapping, found 'hello'"]),
    (
      "description: 'x",
      [
        "t.yaml:1:16: error: invalid yaml: while scanning a quoted scalar at 1:14, found "
          + "unexpected end of stream"
      ]
    ),
  ]

  @Test("each document problem is reported", arguments: documentCases)
  func documentProblem(text: String, expected: [String]) {
    #expect(Self.errors(text) == expected)
  }
}
