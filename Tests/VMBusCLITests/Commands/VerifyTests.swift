import Foundation
import GRDB
import Testing

/// `vmbus-sim verify`: exit 0 when clean, 1 with violations.
@Suite("verify")
struct VerifyTests {
  @Test func aCleanImportExitsZero() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let json = try await dir.run("verify", "1", "--json")
      #expect(json.status == 0)
      #expect(json.stderr == "")
      #expect(json.stdout == "{\"session\": 1, \"events\": 42, \"violations\": []}\n")
      let text = try await dir.run("verify", "1")
      #expect(text.status == 0)
      #expect(text.stdout == "session 1: 42 events, 0 violations\n")
    }
  }

  @Test func violationsExitOne() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.violatingLog)
      let json = try await dir.run("verify", "1", "--json")
      #expect(json.status == 1)
      #expect(json.stderr == "")
      let report = try JSON.parse(json.stdout)
      #expect(report.keys == ["session", "events", "violations"])
      #expect(report["session"] == 1)
      #expect(report["events"] == 43)
      let violations = report["violations"]?.elements ?? []
      try #require(violations.count == 1)
      #expect(violations[0].keys == ["seq", "rule", "message"])
      #expect(violations[0]["seq"] == 43)
      #expect(violations[0]["rule"] == "callback_without_message")
      #expect(violations[0]["message"]?.string?.hasPrefix("vmbus_msg_cb: ") == true)
      let text = try await dir.run("verify", "1")
      #expect(text.status == 1)
      #expect(text.lines.count == 2)
      #expect(text.lines.first?.hasPrefix("seq 43: callback_without_message: ") == true)
      #expect(text.lines.last == "session 1: 43 events, 1 violation")
    }
  }

  @Test func aSimulatedSessionReRunsClean() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml", seed: 11)
      let result = try await dir.run("verify", "\(session)", "--json")
      #expect(result.status == 0)
      #expect(try JSON.parse(result.stdout)["violations"] == .array([]))
    }
  }

  @Test func aDigestOfAnOlderStateEncodingIsNotedNotCompared() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      // As a build before the canonical encoding stored it: a digest of the old walk.
      let queue = try DatabaseQueue(path: dir.database)
      try await queue.write { db in
        try db.execute(
          sql: "UPDATE sessions SET state_encoding = 1, final_state_hash = '0123456789abcdef'")
      }
      try queue.close()
      let text = try await dir.run("verify", "1")
      #expect(text.status == 0)
      #expect(
        text.lines == [
          "note: final_state_hash 0123456789abcdef is a digest of state encoding v1, not v2, so "
            + "it is not compared; the events were refolded and checked against every rule",
          "session 1: 42 events, 0 violations",
        ])
      let json = try JSON.parse(try await dir.run("verify", "1", "--json").stdout)
      #expect(json.keys == ["session", "events", "violations", "notes"])
      // A tampered digest of this build's encoding is still a violation.
      try await DatabaseQueue(path: dir.database).write { db in
        try db.execute(sql: "UPDATE sessions SET state_encoding = 2")
      }
      let tampered = try await dir.run("verify", "1")
      #expect(tampered.status == 1)
      #expect(
        tampered.lines.contains { $0.hasPrefix("seq 42: final_state_hash: stored 0123") },
        "\(tampered.lines)")
    }
  }

  @Test func anUnknownSessionIsAnError() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let result = try await dir.run("verify", "2", "--json")
      #expect(result.status == 66)
      #expect(result.stdout == "")
      #expect(result.stderr == "error: \(dir.database): no session 2\n")
    }
  }
}
