import Foundation
import Testing
import VMBusHost
import VMBusReport
import VMBusSessions
import VMBusStore
import VMBusTrace

/// The data a report embeds rebuilds exactly what `replay` shows, and covers every event.
@Suite struct ReportDataTests {
  /// The state text `replay --json` prints after each event of `session`.
  static func replayStates(_ store: EventStore, _ session: SessionID) throws -> [String] {
    var states: [String] = []
    try SessionReplayer(store: store, session: session).forEach { step in
      var json = JSONBuilder()
      step.state.writeJSON(into: &json)
      states.append(json.text)
    }
    return states
  }

  @Test(arguments: ReportFixtures.scenarioFiles)
  func everyStepOfEveryScenarioRebuildsReplaysState(_ file: String) throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate(file, into: store)
      let (page, written) = try SessionReport(store: store, session: session).render(checks: .every)
      let data = try ReportData(page: page)
      let expected = try Self.replayStates(store, session)
      let rebuilt = data.states()
      #expect(rebuilt.count == expected.count)
      for (index, (mine, theirs)) in zip(rebuilt, expected).enumerated() where mine != theirs {
        Issue.record("\(file) #\(index + 1): \(mine) ≠ \(theirs)")
        break
      }
      // Every event is in exactly one row; the arrows are the diagram's messages.
      #expect(data.rows.seqCount.reduce(0, +) == expected.count)
      #expect(data.rows.seqs.joined().sorted() == Array(1...expected.count))
      #expect(data.rowKindsByRow.count { $0 != .note } == written.messages)
      #expect(data.summary.counts.messages == written.messages)
      #expect(data.checks.count == expected.count)
      #expect(written.events == expected.count)
    }
  }

  @Test func anImportedBareTraceLabelsMessagesWithWhatItsTracesGive() throws {
    try ReportFixtures.withStore { store, directory in
      let session = try ReportFixtures.importLog(ReportFixtures.bareLog, into: store, in: directory)
      let (page, written) = try SessionReport(store: store, session: session).render()
      #expect(written.messages == ReportFixtures.bareLogMessages)
      let data = try ReportData(page: page)
      let labels = Set(
        zip(data.rowKindsByRow, data.rows.text).filter { $0.0 != .note }.map { data.strings[$0.1] })
      #expect(labels.contains("GPADL_HEADER gpadl 925200 gfns 2"))
      #expect(labels.contains("OPENCHANNEL_RESULT relid 1 status 0"))
      #expect(data.clock == .ns)
      #expect(data.summary.counts.violations == 1)
      #expect(data.summary.counts.fates["busy"] == 1)
      #expect(data.summary.kind == "imported")
      #expect(data.states() == (try Self.replayStates(store, session)))
    }
  }

  @Test func anExcerptStartsFromTheStoredState() throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate("linux-open-close.yaml", into: store)
      let (page, written) = try SessionReport(store: store, session: session)
        .render(EventRange(first: 40, last: 80), checks: .every)
      #expect(written.events == 41)
      let data = try ReportData(page: page)
      #expect(data.firstSeq == 40)
      #expect(data.lastSeq == 80)
      let expected = try Self.replayStates(store, session)
      #expect(data.states() == Array(expected[39..<80]))
    }
  }

  @Test func thePageLoadsNothingFromElsewhere() throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate("linux-open-close.yaml", into: store)
      let page = String(
        decoding: try SessionReport(store: store, session: session).render().page, as: UTF8.self)
      for needle in [
        "<link", "src=", "@import", "url(http", "http://", "https://", "fetch(", "XMLHttpRequest",
      ] {
        #expect(!page.contains(needle), "the page contains \(needle)")
      }
      #expect(page.hasPrefix("<!doctype html>"))
      #expect(page.contains(#"<pre id="selftest-result" hidden></pre>"#))
    }
  }

  @Test func namesCannotEndTheDataScriptEarly() throws {
    try ReportFixtures.withStore { store, directory in
      let path = directory.appendingPathComponent("trace.log").path
      try Data(ReportFixtures.bareLog.utf8).write(to: URL(fileURLWithPath: path))
      let hostile = "</script><script>alert(1)</script>"
      let session = try TraceImporter(path: path, format: nil, strict: false, name: hostile)
        .run(into: store).session
      let page = String(
        decoding: try SessionReport(store: store, session: session).render().page, as: UTF8.self)
      #expect(page.components(separatedBy: "</script>").count == 4)
      #expect(!page.contains("<script>alert"))
      let data = try ReportData(page: Array(page.utf8))
      #expect(data.summary.name == hostile)
    }
  }

  @Test func anEmptySessionIsAPageWithNoRows() throws {
    try ReportFixtures.withStore { store, _ in
      let writer = try store.beginSession(
        SessionInfo(name: "empty", kind: .imported, createdAt: Date(timeIntervalSince1970: 0)))
      let session = writer.sessionID
      try writer.finish()
      let (page, written) = try SessionReport(store: store, session: session).render()
      #expect(written.events == 0)
      #expect(written.messages == 0)
      let data = try ReportData(page: page)
      #expect(data.events.count == 0)
      #expect(data.rows.count == 0)
    }
  }

  @Test func theDataIsNamedAndTheSameSessionGivesTheSameBytes() throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate("linux-boot.yaml", into: store)
      let report = SessionReport(store: store, session: session)
      let first = try report.render().page
      #expect(try report.render().page == first)
      // Decoding and encoding again gives the embedded text: every field is named and typed.
      let data = try ReportData(page: first)
      #expect(try data.scriptSafeJSON() == Array(try ReportData.json(in: first).utf8))
      #expect(data.version == ReportData.currentVersion)
      #expect(data.rowKinds == ReportRowKind.allCases)
      #expect(data.events.changes.count == data.events.count)
      #expect(data.events.timeStep.count == data.events.count)
      #expect(data.rows.seqCount.count == data.rows.count)
    }
  }

  @Test func progressHearsTheStartAndEveryIntervalOfEvents() throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate("linux-boot.yaml", into: store)
      var heard: [EventProgress] = []
      let written = try SessionReport(store: store, session: session)
        .render(progress: { heard.append($0) }).written
      #expect(heard.first == EventProgress(done: 0, total: written.events))
      #expect(heard.allSatisfy { $0.total == written.events && $0.done <= $0.total })
    }
  }

  @Test func badRangesAreUsageErrors() throws {
    try ReportFixtures.withStore { store, _ in
      let session = try ReportFixtures.simulate("linux-open-close.yaml", into: store)
      let report = SessionReport(store: store, session: session)
      for (first, last) in [(0, 10), (20, 10), (500, 600)] {
        #expect(throws: SessionsError.self) {
          try report.render(EventRange(first: first, last: last))
        }
      }
      #expect(throws: SessionsError.self) {
        try SessionReport(store: store, session: SessionID(99)).render()
      }
    }
  }
}
