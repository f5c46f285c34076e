import Foundation
import Testing

/// `vmbus-sim sessions`: one line, or one JSON object, per session.
@Suite("sessions")
struct SessionsTests {
  @Test func oneLinePerSession() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "boot.log")
      _ = try await dir.runScenario("linux-open-close.yaml", seed: 3)
      let result = try await dir.run("sessions")
      #expect(result.status == 0)
      #expect(result.stderr == "")
      let lines = result.lines
      try #require(lines.count == 3)
      #expect(lines[0].hasPrefix("   ID  STATUS"))
      let imported = lines[1].split(separator: " ").map(String.init)
      #expect(imported.prefix(5) == ["1", "complete", "imported", "42", "boot.log"])
      let simulated = lines[2].split(separator: " ").map(String.init)
      #expect(simulated.prefix(3) == ["2", "complete", "simulated"])
      #expect(simulated.dropFirst(4).first == "linux-open-close")
      #expect(lines[2].hasSuffix("seed 3 → passed"))
    }
  }

  @Test func oneJSONObjectPerSession() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog, as: "boot.log")
      _ = try await dir.runScenario("qemu-unload.yaml", seed: 5)
      let result = try await dir.run("sessions", "--json")
      #expect(result.status == 0)
      #expect(result.stderr == "")
      let sessions = try JSON.parseLines(result.stdout)
      try #require(sessions.count == 2)
      for session in sessions {
        #expect(session.keys.isSuperset(of: ["session", "name", "kind", "status", "events"]))
      }
      #expect(sessions.map { $0["session"] } == [1, 2])
      #expect(sessions.map { $0["kind"] } == ["imported", "simulated"])
      #expect(sessions.map { $0["status"] } == ["complete", "complete"])
      #expect(sessions.map { $0["name"] } == ["boot.log", "qemu-unload"])
      #expect(sessions[0]["events"] == 42)
      #expect(sessions[1]["seed"] == 5)
      #expect(sessions[1]["outcome"] == "host_fault")
    }
  }

  @Test func aMissingDatabaseIsAnErrorAndIsNotCreated() async throws {
    try await TemporaryDirectory.with { dir in
      for arguments in [["sessions"], ["sessions", "--json"]] {
        let result = try await CLI.run(arguments + ["--db", dir.database], in: dir.url)
        #expect(result.exited)
        #expect(result.status != 0)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("error: \(dir.database): "))
      }
      #expect(!dir.exists("sessions.sqlite"))
    }
  }
}
