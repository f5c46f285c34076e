import Foundation
import Testing

/// `vmbus-sim report` and the diagram formats of `export`: mermaid and perfetto.
@Suite("report and diagram exports")
struct ReportTests {
  @Test func reportWritesOneSelfContainedPage() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let result = try await dir.run("report", "\(session)", "-o", dir.path("boot.html"))
      #expect(result.status == 0, "\(result)")
      #expect(result.stderr == "")
      #expect(result.lines.count == 1)
      #expect(result.stdout.hasPrefix(dir.path("boot.html") + ": 149 events, 40 messages, "))
      let page = try dir.readText("boot.html")
      #expect(page.hasPrefix("<!doctype html>"))
      #expect(page.contains(#"<script type="application/json" id="report-data">"#))
      #expect(!page.contains("https://") && !page.contains("<link"))
      // Without -o: session-ID.html in the working directory.
      #expect(try await dir.run("report", "\(session)").status == 0)
      #expect(dir.exists("session-\(session).html"))
    }
  }

  @Test func reportRefusesAMissingSessionAndABadRange() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let missing = try await dir.run("report", "9", "-o", dir.path("x.html"))
      #expect(missing.status == 66)
      #expect(!dir.exists("x.html"))
      let backwards = try await dir.run("report", "\(session)", "--from", "50", "--to", "10")
      #expect(backwards.status == 64)
      #expect(backwards.stderr.contains("--to 10 is before --from 50"), "\(backwards.stderr)")
      let past = try await dir.run("report", "\(session)", "--from", "150")
      #expect(past.status == 64)
    }
  }

  @Test func mermaidIsASequenceDiagramWithAnExcerptAndAMarkdownFence() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let whole = try await dir.run("export", "\(session)", "--format", "mermaid")
      #expect(whole.status == 0)
      #expect(whole.lines.first == "sequenceDiagram")
      #expect(whole.lines.count { $0.contains("G->>H:") || $0.contains("G-xH:") } == 27)
      #expect(whole.lines.count { $0.contains("H->>G:") } == 12)
      #expect(
        whole.lines.contains(
          "    Note over G,H: session 1 linux-open-close (simulated, seed 0), events 1-149"))
      let excerpt = try await dir.run(
        "export", "\(session)", "--format", "mermaid", "--from", "21", "--to", "36")
      #expect(
        excerpt.lines == [
          "sequenceDiagram",
          "    participant G as Guest",
          "    participant H as Host (QEMU)",
          "    Note over G,H: session 1 linux-open-close (simulated, seed 0), events 21-36",
          "    G->>H: REQUESTOFFERS (seq 21-23)",
          "    H->>G: OFFERCHANNEL relid 1 sub 0 instance 00000000-0000-4000-8000-000000000001 (seq 24-26)",
          "    H->>G: OFFERCHANNEL relid 2 sub 0 instance 00000000-0000-4000-8000-000000000002 (seq 27-29)",
          "    rect rgb(255, 236, 179)",
          "        H--xG: ALLOFFERS_DELIVERED · slot busy (-11), host retries (seq 30-33)",
          "    end",
          "    H->>G: ALLOFFERS_DELIVERED (seq 34-36)",
        ])
      let fenced = try await dir.run(
        "export", "\(session)", "--format", "mermaid", "--to", "13", "-o", dir.path("boot.md"))
      #expect(fenced.status == 0)
      let markdown = try dir.readText("boot.md")
      #expect(markdown.hasPrefix("```mermaid\nsequenceDiagram\n"))
      #expect(markdown.hasSuffix("```\n"))
    }
  }

  @Test func perfettoIsTraceEventJSONWithTracksAndFlows() async throws {
    try await TemporaryDirectory.with { dir in
      let session = try await dir.runScenario("linux-open-close.yaml")
      let result = try await dir.run("export", "\(session)", "--format", "perfetto")
      #expect(result.status == 0)
      let root = try #require(
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      let events = try #require(root["traceEvents"] as? [[String: Any]])
      let tracks = events.filter { $0["name"] as? String == "thread_name" }
        .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
      #expect(
        tracks == [
          "guest", "host (QEMU main loop)", "bus", "channel 1", "channel 2", "gpadl 925200",
          "gpadl 925201",
        ])
      let slices = events.filter { $0["ph"] as? String == "X" }
      #expect(slices.count { $0["tid"] as? Int == 1 } == 27)
      #expect(slices.contains { $0["name"] as? String == "handle INITIATE_CONTACT" })
      #expect(slices.count { $0["flow_in"] as? Bool == true } > 20)
    }
  }

  @Test func exportRangesApplyToEveryFormat() async throws {
    try await TemporaryDirectory.with { dir in
      _ = try await dir.importLog(TraceFixtures.mixedLog)
      let excerpt = try await dir.run(
        "export", "1", "--format", "qemu-log", "--from", "5", "--to", "9")
      #expect(excerpt.status == 0)
      // Events 5-9, and the two skipped lines that come before event 6.
      #expect(excerpt.lines.count == 7)
      #expect(excerpt.lines.first?.hasSuffix("vmbus_msg_cb message status 0") == true)
      #expect(excerpt.lines[1...2] == ["hv_balloon_state_change -> WAIT_QUERY", ""])
      let bad = try await dir.run("export", "1", "--format", "jsonl", "--from", "0")
      #expect(bad.status == 64)
      #expect(bad.stderr.contains("--from 0: seqs start at 1"), "\(bad.stderr)")
    }
  }
}
