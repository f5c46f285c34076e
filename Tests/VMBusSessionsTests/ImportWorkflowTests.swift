import Foundation
import Testing
import VMBusHost
import VMBusSessions
import VMBusStore
import VMBusTrace

/// `TraceImporter` in process: what it stores, what it refuses, and that a refusal leaves
/// the database as it was.
@Suite struct ImportWorkflowTests {
  @Test func aSimulatedRunsLogImportsAsItsTracePoints() throws {
    try Workspace.with { space in
      let (events, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      let store = try space.store()
      let summary = try TraceImporter(path: log, format: nil, strict: true, name: "boot")
        .run(into: store)
      #expect(summary.format == .log)
      #expect(summary.events == events.filter(\.isTracePoint).count)
      var imported: [HostEvent] = []
      try store.events(session: summary.session) { imported.append($0.event) }
      #expect(imported == events.filter(\.isTracePoint))
      #expect(try store.session(summary.session).status == .complete)
    }
  }

  @Test func binaryDataIsBadInputAndCreatesNoDatabase() throws {
    try Workspace.with { space in
      var bytes: [UInt8] = []
      var generator = UInt64(0x5EED)
      for _ in 0..<5_000 {
        generator = generator &* 6_364_136_223_846_793_005 &+ 1
        bytes.append(UInt8(truncatingIfNeeded: generator >> 33))
      }
      let path = try space.write("noise.bin", bytes)
      let error = sessionsError { () throws(SessionsError) in
        try TraceImporter(path: path, format: nil, strict: false, name: nil).run {
          () throws(SessionsError) in
          do { return try EventStore.open(path: space.databasePath) } catch let error as StoreError
          {
            throw .store(error)
          } catch { throw .io("\(error)") }
        }
      }
      #expect(error?.exitCode == 65, "\(String(describing: error))")
      #expect("\(String(describing: error))".contains("not a QEMU trace"))
      #expect(!space.exists("sessions.sqlite"))
    }
  }

  @Test func aLogWithoutVMBusEventsNeedsAllowsNoEvents() throws {
    try Workspace.with { space in
      let path = try space.write("other.log", "kvm_set_user_memory slot 0 flags 0x0\n")
      var importer = TraceImporter(path: path, format: nil, strict: false, name: nil)
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in try importer.run(into: store) }
      #expect(error?.exitCode == 65)
      #expect("\(String(describing: error))".contains("-trace 'vmbus_*'"))
      importer.allowsNoEvents = true
      let summary = try importer.run(into: store)
      #expect(summary.events == 0)
      #expect(summary.skipped == 1)
    }
  }

  @Test func aMissingFileIsMissingInput() throws {
    try Workspace.with { space in
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in
        try TraceImporter(path: space.path("absent.log"), format: nil, strict: false, name: nil)
          .run(into: store)
      }
      #expect(error?.exitCode == 66)
    }
  }

  @Test func aCutOffLastLineIsRefusedUnlessAllowed() throws {
    try Workspace.with { space in
      let (_, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      var text = try space.read("run.log")
      // Cut the last event mid-line, as a killed QEMU leaves its log.
      text.removeLast(7)
      try space.write("run.log", text)
      var importer = TraceImporter(path: log, format: nil, strict: false, name: nil)
      let store = try space.store()
      let error = sessionsError { () throws(SessionsError) in try importer.run(into: store) }
      #expect(error?.exitCode == 65)
      #expect(try store.sessions().isEmpty)
      importer.allowsCutOffLastLine = true
      let summary = try importer.run(into: store)
      #expect(
        summary.skippedByReason.contains { $0.reason == "last line cut off" && $0.count == 1 })
    }
  }

  @Test func progressChecksThenStoresUpToTheTotal() throws {
    try Workspace.with { space in
      let (events, log) = try space.simulatedLog(into: try space.store("run.sqlite"))
      let reports = Reports()
      var importer = TraceImporter(path: log, format: nil, strict: false, name: nil)
      importer.progress = { reports.append($0) }
      _ = try importer.run(into: try space.store())
      let total = events.filter(\.isTracePoint).count
      var sawStoring = false
      var lastStored = 0
      for report in reports.all {
        switch report {
        case .checking:
          #expect(!sawStoring, "checking after storing began")
        case .storing(let stored, let of):
          sawStoring = true
          #expect(of == total)
          #expect(stored >= lastStored && stored <= total)
          lastStored = stored
        }
      }
      #expect(sawStoring && lastStored == total)
    }
  }
}

/// Collects progress reports from a callback.
final class Reports: @unchecked Sendable {
  private(set) var all: [ImportProgress] = []
  func append(_ report: ImportProgress) { all.append(report) }
}
