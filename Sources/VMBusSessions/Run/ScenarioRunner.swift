import Foundation
import VMBusHost
import VMBusSim
import VMBusStore

/// Runs a scenario file and stores the run as a simulated session.
package struct ScenarioRunner {
  package var path: String
  package var seed: UInt64
  package var snapshotInterval: Int

  package init(path: String, seed: UInt64, snapshotInterval: Int = 1024) {
    self.path = path
    self.seed = seed
    self.snapshotInterval = snapshotInterval
  }

  /// Reads and parses the scenario; every problem in the file is reported together.
  package func load() throws(SessionsError) -> (text: String, scenario: Scenario) {
    guard FileManager.default.fileExists(atPath: path) else {
      throw .missingInput("\(path): no such scenario file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .io("\(path): cannot read the scenario file")
    }
    let text = String(decoding: data, as: UTF8.self)
    do {
      return (text, try ScenarioParser.parse(text, file: path))
    } catch {
      throw .badInput(error.errors.map(\.description))
    }
  }

  /// Runs, then stores the session with its scenario text, seed, choices and outcome.
  package func run(into store: EventStore) throws(SessionsError) -> (SimulationRun, SessionID) {
    try run { () throws(SessionsError) in store }
  }

  /// Loads the scenario, then calls `openStore`, runs and stores: a broken scenario file never
  /// opens (or creates) the database.
  package func run(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> (SimulationRun, SessionID) {
    let (text, scenario) = try load()
    let store = try openStore()
    let run = Simulation.reproduce(scenario, seed: seed)
    let session = try Self.store(
      run, scenarioText: text, source: path, into: store, snapshotInterval: snapshotInterval)
    return (run, session)
  }

  /// Stores a finished run: events with their virtual times, and the metadata `verify`
  /// needs to re-run it (scenario text, seed, choices).
  package static func store(
    _ run: SimulationRun, scenarioText: String, source: String?, into store: EventStore,
    snapshotInterval: Int = 1024
  ) throws(SessionsError) -> SessionID {
    let metadata: SessionMetadata = [
      "outcome": .string(run.outcome.kind.rawValue),
      "at_seq": run.outcome.atSeq.map { .integer(Int64($0)) } ?? .null,
      "message": .string(run.outcome.message),
      "root_cause": run.outcome.rootCause.map { .string($0.rawValue) } ?? .null,
      "expected": .string(run.scenario.expected.kind.rawValue),
      "choices": .string(run.choices.map(String.init).joined(separator: ",")),
      "steps": .integer(Int64(run.steps)),
      "virtual_time_ns": .integer(Int64(clamping: run.endTime.nanoseconds)),
    ]
    let info = SessionInfo(
      name: run.scenario.name, kind: .simulated,
      source: source.map { SessionSource(file: $0, format: "scenario") },
      hostProfile: run.scenario.host.profile, scenarioText: scenarioText, seed: run.seed,
      createdAt: Date(), metadata: metadata)
    do {
      var writer = try store.beginSession(
        info, options: WriterOptions(snapshotInterval: snapshotInterval))
      for (event, time) in zip(run.events, run.eventTimes) {
        try writer.append(event, source: EventSource(tsNanos: Int64(clamping: time.nanoseconds)))
      }
      let session = writer.sessionID
      try writer.finish(metadata: metadata)
      return session
    } catch {
      throw .store(error)
    }
  }
}
