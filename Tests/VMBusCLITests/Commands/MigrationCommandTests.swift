import Foundation
import Testing

/// Live migration end to end: `run` of the bundled scenario, the boundary in `replay`,
/// `report` and the diagrams, and `fuzz --exhaustive` placing a migration among every
/// action.
@Suite("CLI: live migration")
struct MigrationCommandTests {
  @Test("a migrated Linux guest keeps working; replay, report and diagrams show the boundary")
  func bundledScenarioAndBoundary() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("qemu-migration.yaml")
      let replay = try await dir.run("replay", "\(session)")
      #expect(replay.status == 0)
      let boundary = try #require(replay.lines.first { $0.contains("sim_migrated") })
      #expect(boundary.contains("saved state "), "\(boundary)")
      let verify = try await dir.run("verify", "\(session)")
      #expect(verify.status == 0, "\(verify)")
      #expect(verify.stdout.contains("0 violations"), "\(verify.stdout)")
      // The stored fact carries the digest as the documented argument.
      let json = try await dir.run("replay", "\(session)", "--json")
      #expect(json.stdout.contains(#""saved_digest""#))

      #expect(try await dir.run("report", "\(session)", "-o", dir.path("m.html")).status == 0)
      let page = try dir.readText("m.html")
      #expect(page.contains("k-migration"))
      #expect(page.contains("live migration: the source host stops"))
      let mermaid = try await dir.run("export", "\(session)", "--format", "mermaid")
      #expect(mermaid.status == 0)
      #expect(
        mermaid.stdout.contains("Note over G,H: live migration"), "\(mermaid.stdout.prefix(300))")
    }
  }

  @Test("fuzz --exhaustive places a migration among every action and finds what it breaks")
  func exhaustiveFindsMigrationFailures() async throws {
    try await TemporaryDirectory.with { dir in
      let scenario = try dir.write(
        "migrating.yaml",
        """
        description: a guest opens a channel while the machine migrates at any point
        expect: passed
        host:
          devices:
            - class: netvsc
        actors:
          - name: guest
            steps:
              - linux.connect: {versions: ["4.0"]}
              - linux.request_offers: {wait: true}
              - linux.open: {device: netvsc, ring_pages: 4}
          - name: migration
            steps:
              - migrate
        """)
      let result = try await dir.run(
        "fuzz", scenario, "--exhaustive", "--depth", "80", "--regressions",
        dir.path("regressions"), "--json")
      #expect(result.status == 1, "\(result.stderr)")
      let failures = try JSON.parse(result.stdout)["failures"]?.elements ?? []
      let causes = Set(failures.compactMap { $0["signature"]?["root_cause"]?.string })
      #expect(causes.contains("vmbus_post_load.resends_delivered_reply"), "\(causes)")
      #expect(causes.contains("vmbus_post_load.channel_state_not_loaded"), "\(causes)")
      // Every minimal case re-checks.
      let check = try await CLI.run(["check", dir.path("regressions")])
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

      let hardened = try await dir.run(
        "fuzz", scenario, "--host", "hardened", "--exhaustive", "--depth", "80",
        "--no-regressions", "--json")
      #expect(hardened.status == 0, "\(hardened.stdout)")
      #expect((try JSON.parse(hardened.stdout)["failures"]?.elements ?? []).isEmpty)
    }
  }
}
