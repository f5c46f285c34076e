import Foundation
import Testing
import VMBusReport
import VMBusSessions
import VMBusStore

/// The page in a real headless Chromium: it loads without errors, draws the expected arrows,
/// and stepping shows the state `replay` prints. Skipped where Chromium is not installed
/// (`.ci/run` installs Debian's `chromium`).
@Suite(.serialized, .enabled(if: Chromium.path != nil, "chromium is not installed"))
struct BrowserTests {
  /// The self-test's result for the page of `session`, every step checked.
  static func selfTest(
    _ store: EventStore, _ session: SessionID, in directory: URL, from: Int = 1, to: Int = .max
  ) throws -> [String: Any] {
    let path = directory.appendingPathComponent("report-\(session).html").path
    try SessionReport(store: store, session: session)
      .write(to: path, events: EventRange(first: from, last: to == .max ? nil : to), checks: .every)
    return try Chromium.selfTest(path: path, profile: directory.appendingPathComponent("profile"))
  }

  static func expectPassed(_ result: [String: Any], _ name: String) {
    #expect(result["ok"] as? Bool == true, "\(name): \(result["failures"] ?? "no result")")
    #expect((result["errors"] as? [Any])?.isEmpty == true, "\(name): \(result["errors"] ?? "")")
  }

  @Test(arguments: [
    "linux-boot.yaml", "linux-open-close.yaml", "busy-slot-offers.yaml", "qemu-unload-flush.yaml",
    "qemu-gpadl-body.yaml",
    "qemu-delivery-failures.yaml",
  ])
  func aSimulatedSessionDrawsEveryArrowAndStepsThroughReplaysStates(_ file: String) throws {
    try ReportFixtures.withStore { store, directory in
      let session = try ReportFixtures.simulate(file, into: store)
      let events = try store.session(session).eventCount
      let result = try Self.selfTest(store, session, in: directory)
      Self.expectPassed(result, file)
      let messages = SessionReportCounts.messages(store, session)
      #expect(result["messages"] as? Int == messages)
      let window = result["window"] as? [String: Any] ?? [:]
      #expect((window["drawn_arrows"] as? Int ?? 0) > 0)
      #expect(window["drawn_arrows"] as? Int == window["expected_arrows"] as? Int)
      let sweep = result["sweep"] as? [String: Any] ?? [:]
      #expect(sweep["arrows_seen"] as? Int == messages)
      let steps = result["steps"] as? [String: Any] ?? [:]
      #expect(steps["keyboard_steps"] as? Int == min(events - 1, 400))
      #expect((steps["state_changes_shown"] as? Int ?? 0) > 0)
      #expect(steps["state_changes_shown"] as? Int == steps["state_changes_expected"] as? Int)
      let checks = result["checks"] as? [String: Any] ?? [:]
      #expect(checks["compared"] as? Int == events)
    }
  }

  @Test func anEmptySessionLoadsWithoutErrors() throws {
    try ReportFixtures.withStore { store, directory in
      let writer = try store.beginSession(
        SessionInfo(name: "empty", kind: .imported, createdAt: Date(timeIntervalSince1970: 0)))
      let session = writer.sessionID
      try writer.finish()
      let result = try Self.selfTest(store, session, in: directory)
      Self.expectPassed(result, "empty")
      #expect(result["messages"] as? Int == 0)
    }
  }

  @Test func anImportedTraceAndAnExcerptPassTheSelfTest() throws {
    try ReportFixtures.withStore { store, directory in
      let imported = try ReportFixtures.importLog(
        ReportFixtures.bareLog, into: store, in: directory)
      let result = try Self.selfTest(store, imported, in: directory)
      Self.expectPassed(result, "imported")
      #expect(result["messages"] as? Int == ReportFixtures.bareLogMessages)
      let simulated = try ReportFixtures.simulate("linux-boot.yaml", into: store)
      let excerpt = try Self.selfTest(store, simulated, in: directory, from: 40, to: 80)
      Self.expectPassed(excerpt, "excerpt")
      #expect(excerpt["events"] as? Int == 41)
    }
  }
}

/// Counts from the library, to hold the page's against.
enum SessionReportCounts {
  static func messages(_ store: EventStore, _ session: SessionID) -> Int {
    (try? SessionReport(store: store, session: session).render().written.messages) ?? -1
  }
}

/// Debian's headless Chromium, found on the `PATH` (or `$VMBUS_SIM_CHROMIUM`).
enum Chromium {
  static let path: String? = {
    let environment = ProcessInfo.processInfo.environment
    if let given = environment["VMBUS_SIM_CHROMIUM"],
      FileManager.default.isExecutableFile(atPath: given)
    {
      return given
    }
    let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for directory in directories {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }()

  /// Loads `path#selftest` and returns the JSON the page wrote into `#selftest-result`.
  static func selfTest(path: String, profile: URL) throws -> [String: Any] {
    let dom = try dumpDOM(
      url: URL(fileURLWithPath: path).absoluteString + "#selftest", profile: profile)
    guard let open = dom.range(of: #"<pre id="selftest-result" hidden="">"#),
      let close = dom.range(of: "</pre>", range: open.upperBound..<dom.endIndex)
    else { throw ReportTestError("no self-test result in the page:\n\(dom.prefix(2000))") }
    let text = String(dom[open.upperBound..<close.lowerBound])
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    guard let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    else { throw ReportTestError("the self-test result is not an object: \(text)") }
    return result
  }

  /// Runs `chromium --headless --dump-dom URL` with a profile of its own; stops it after two
  /// minutes.
  static func dumpDOM(url: String, profile: URL) throws -> String {
    guard let path else { throw ReportTestError("chromium is not installed") }
    let output = profile.deletingLastPathComponent().appendingPathComponent("dom.html")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = [
      "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
      "--user-data-dir=\(profile.path)", "--window-size=1400,900",
      "--virtual-time-budget=5000", "--dump-dom", url,
    ]
    process.standardOutput = handle
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
      process.terminate()
      throw ReportTestError("chromium did not finish within 120 s")
    }
    return String(decoding: try Data(contentsOf: output), as: UTF8.self)
  }
}
