import Foundation
import Testing

/// `replay --interactive` driven through standard input, as a terminal user would type.
@Suite("CLI: replay --interactive")
struct InteractiveReplayTests {
  @Test("steps, jumps, finds by name, channel and GPADL, and shows state and changes")
  func stepper() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let commands = [
        "n", "n 2", "f open_channel", "s", "c", "p", "j 9999", "j 1", "f gpadl 925201",
        "f channel 2", "bogus", "q",
      ]
      let result = try await CLI.run(
        ["replay", "\(session)", "--db", dir.database, "--interactive"],
        input: commands.joined(separator: "\n") + "\n")
      #expect(result.status == 0, "\(result.stderr)")
      let out = result.stdout
      #expect(out.contains("session \(session): 149 events; h for help"))
      #expect(out.contains("      1  sim_machine_started profile qemu vcpus 2"))
      #expect(out.contains("vmbus_open_channel channel #1 gpadl #925200 target vp 0"))
      #expect(out.contains("bus open_channel  version 4.0"))
      #expect(out.contains("channel #1 init→opening (host open)"))
      #expect(out.contains("[149/149]>"), "a jump past the end stops at the last event")
      #expect(out.contains("vmbus_gpadl_header gpadl #925201"))
      #expect(out.contains("unknown command 'bogus'; h for help"))
    }
  }
}
