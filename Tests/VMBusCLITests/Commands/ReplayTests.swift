import Foundation
import GRDB
import Testing

/// `vmbus-sim replay`: each step as JSON Lines `{"seq", "event", "state"}`, or one step.
@Suite("replay")
struct ReplayTests {
  @Test func jsonLinesHaveTheDocumentedShape() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("replay", "1", "--json")
      #expect(result.status == 0)
      #expect(result.stderr == "")
      let steps = try JSON.parseLines(result.stdout)
      try #require(steps.count == TraceFixtures.mixedLogEvents)
      #expect(steps.map { $0["seq"] } == (1...42).map { .integer(Int64($0)) })
      for step in steps {
        #expect(step.keys.isSuperset(of: ["seq", "event", "state"]))
        #expect(step["event"]?.keys == ["name", "args"])
        let state = try #require(step["state"])
        #expect(
          state.keys.isSuperset(of: [
            "bus", "version", "message_in_flight", "faulted", "channels", "gpadls",
          ]))
        #expect(state["faulted"] == false)
        for channel in state["channels"]?.elements ?? [] {
          #expect(channel.keys.isSuperset(of: ["id", "offer", "state"]))
        }
        for gpadl in state["gpadls"]?.elements ?? [] {
          #expect(gpadl.keys.isSuperset(of: ["id", "state"]))
        }
      }
      #expect(
        steps[0]["event"]
          == .object(["name": "vmbus_recv_message", "args": .object(["type": 14, "size": 40])]))
      #expect(steps[1]["state"]?["version"] == .null)
      #expect(steps[2]["state"]?["version"] == "4.0")
      #expect(steps[3]["state"]?["message_in_flight"] == true)
      #expect(steps[4]["state"]?["message_in_flight"] == false)
    }
  }

  @Test func theDocumentedOpenChannelStep() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("replay", "1", "--at", "37", "--json")
      #expect(result.status == 0)
      let step = try JSON.parse(result.stdout)
      #expect(step["seq"] == 37)
      #expect(
        step["event"]
          == .object([
            "name": "vmbus_open_channel",
            "args": .object(["chan_id": 1, "gpadl_id": 925_200, "target_vp": 0]),
          ]))
      let state = try #require(step["state"])
      #expect(state["bus"] == "open_channel")
      #expect(state["version"] == "4.0")
      #expect(state["message_in_flight"] == false)
      #expect(state["faulted"] == false)
      // Offered as #2 then #1, created as #-1 then #925200: listed by id.
      #expect(state["channels"]?.elements.map { $0["id"] } == [1, 2])
      #expect(state["channels"]?[0]?["state"] == "opening")
      #expect(state["channels"]?[0]?["offer"] == "sent")
      #expect(state["gpadls"]?.elements.map { $0["id"] } == [925_200, 4_294_967_295])
      #expect(state["gpadls"]?.elements.map { $0["state"] } == ["alive", "alive"])
    }
  }

  /// An event the session does not have is a usage error naming the events it has.
  @Test func aStepBeyondTheSessionIsAUsageError() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.importLog(TraceFixtures.mixedLog)
      let count = try await dir.run("sessions", "--json")
      let events = try #require(try JSON.parseLines(count.stdout).first?["events"]?.int)
      for arguments in [["--at", "999999"], ["--from", "999999"]] {
        let result = try await CLI.run(
          ["replay", "\(session)", "--db", dir.database] + arguments)
        #expect(result.status == 64, "\(result)")
        #expect(
          result.errorLines == [
            "error: session \(session) has no event 999999: its events are 1...\(events)"
          ])
      }
    }
  }

  @Test func atPrintsOnlyThatStep() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let all = try await dir.run("replay", "1", "--json").lines
      let text = try await dir.run("replay", "1").lines
      try #require(all.count == 42 && text.count == 42)
      for seq in [1, 21, 42] {
        let json = try await dir.run("replay", "1", "--at", "\(seq)", "--json")
        #expect(json.status == 0)
        #expect(json.lines == [all[seq - 1]])
        let line = try await dir.run("replay", "1", "--at", "\(seq)")
        #expect(line.lines == [text[seq - 1]])
      }
    }
  }

  /// `--from`/`--to` are the range `export` and `report` take: the steps between, inclusive;
  /// a `--to` past the end means the end.
  @Test func fromAndToPrintTheStepsBetween() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let all = try await dir.run("replay", "1", "--json").lines
      let middle = try await dir.run("replay", "1", "--from", "20", "--to", "25", "--json")
      #expect(middle.lines == Array(all[19..<25]))
      let tail = try await dir.run("replay", "1", "--from", "40", "--to", "999")
      #expect(tail.lines.count == 3)
      let head = try await dir.run("replay", "1", "--to", "2", "--json")
      #expect(head.lines == Array(all[0..<2]))
      for (arguments, message) in [
        (["--from", "5", "--to", "4"], "--to 4 is before --from 5"),
        (["--at", "3", "--to", "4"], "--at shows one step"),
        (["--to", "0"], "--to 0: seqs start at 1"),
      ] {
        let refused = try await dir.run(["replay", "1"] + arguments)
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains(message), "\(refused.stderr)")
      }
    }
  }

  @Test func atPastASnapshotMatchesTheFullReplay() async throws {
    try await TemporaryDirectory.with { dir in
      // 42 × 30 events: snapshots at 1024, so --at 1100 starts from one.
      _ = try await dir.importLog(String(repeating: TraceFixtures.mixedLog, count: 30))
      let all = try await dir.run("replay", "1", "--json").lines
      try #require(all.count == 1260)
      for seq in [1024, 1100, 1260] {
        let step = try await dir.run("replay", "1", "--at", "\(seq)", "--json")
        #expect(step.lines == [all[seq - 1]])
      }
    }
  }

  @Test(arguments: [("0", 64), ("43", 64), ("x", 64)])
  func aSeqOutsideTheSessionIsAnError(_ seq: String, _ status: Int32) async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("replay", "1", "--at", seq, "--json")
      #expect(result.exited)
      #expect(result.status == status)
      #expect(result.stdout == "")
      #expect(result.stderr.lowercased().hasPrefix("error: "))
    }
  }

  @Test func anUnknownSessionIsAnError() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("replay", "9", "--json")
      #expect(result.status == 66)
      #expect(result.stdout == "")
      #expect(result.stderr == "error: \(dir.database): no session 9\n")
    }
  }

  @Test func simulatorFactsHaveArgumentObjects() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let steps = try JSON.parseLines(try await dir.run("replay", "\(session)", "--json").stdout)
      let facts = steps.filter { $0["event"]?["name"]?.string?.hasPrefix("sim_") == true }
      #expect(!facts.isEmpty)
      for fact in facts {
        guard case .object = fact["event"]?["args"] else {
          Issue.record("no args object: \(fact)")
          continue
        }
      }
      #expect(steps.contains { $0["state"]?["version"] == "4.0" })
    }
  }
}

/// The `sim` column and `replay --json` carry a simulator fact the same way (docs/store.md).
@Suite("sim column")
struct SimColumnTests {
  @Test func everyStoredFactIsTheArgsReplayPrints() async throws {
    try await TemporaryDirectory.with { dir in
      let run = try await dir.run("run", Repository.scenario("linux-boot.yaml"))
      #expect(run.status == 0, "\(run)")
      let stored = try StoreInspector.open(dir.database).read { db in
        try Row.fetchAll(
          db, sql: "SELECT seq, name, sim FROM events WHERE session_id = 1 ORDER BY seq")
      }
      let steps = try JSON.parseLines(try await dir.run("replay", "1", "--json").stdout)
      try #require(steps.count == stored.count)
      var facts = 0
      for (row, step) in zip(stored, steps) {
        let name: String = row["name"]
        guard name.hasPrefix("sim_") else {
          #expect(row["sim"] as String? == nil)
          continue
        }
        facts += 1
        let sim: String = row["sim"]
        #expect(step["event"]?["name"] == .string(name))
        #expect(try JSON.parse(sim) == step["event"]?["args"], "seq \(row["seq"] as Int)")
        // Named keys, hex payloads: nothing of Swift's synthesized Codable form.
        #expect(!sim.contains("_0"), "\(sim)")
        if name == "sim_hypercall" { #expect(sim.contains(#""payload":""#), "\(sim)") }
      }
      #expect(facts > 100)
    }
  }
}
