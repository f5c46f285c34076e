import ArgumentParser
import Foundation
import VMBusSessions
import VMBusStore

/// `--db FILE`, shared by every command that touches the store.
struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The session database (default: $VMBUS_SIM_DB, else vmbus-sim.sqlite).", valueName: "file"))
  var db: String?

  var path: String {
    DatabaseLocation.resolve(flag: db, environment: ProcessInfo.processInfo.environment)
  }

  func open() throws(SessionsError) -> EventStore {
    do {
      return try EventStore.open(path: path)
    } catch {
      throw .store(error)
    }
  }

  func openForReading() throws(SessionsError) -> EventStore {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      throw .missingInput(
        "\(path): no such database (run or import something first, or pass --db)")
    }
    // SQLite reads an empty file as an empty database, which `run` and `import` initialize;
    // for reading it simply holds no sessions yet.
    if (attributes[.size] as? NSNumber)?.intValue == 0 {
      throw .missingInput(
        "\(path): an empty file, not an event store yet (run or import something into it)")
    }
    do {
      return try EventStore.openReadOnly(path: path)
    } catch {
      throw .store(error)
    }
  }
}

/// Runs a command body, printing a failure to standard error with its exit status.
func reportingFailures(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as SessionsError {
    FileHandle.standardError.write(Data((commandLineText(error) + "\n").utf8))
    throw ExitCode(error.exitCode)
  }
}

/// The error as the command line says it: a remedy in terms of this tool's options.
private func commandLineText(_ error: SessionsError) -> String {
  guard case .withRemedy(let refusal, let remedy) = error else { return error.description }
  let hint =
    switch remedy {
    case .skipCutOffLastLine: "--allow-cut-off skips it"
    case .keepLogWithoutEvents: "or pass --allow-no-events to store an empty session"
    case .fuzzAnyGuest: "fuzz it with --guest any"
    case .startNewCampaign: "or drop --resume"
    }
  return "\(commandLineText(refusal)); \(hint)"
}

/// Prints one line to standard output.
func emit(_ line: String) {
  print(line)
}
