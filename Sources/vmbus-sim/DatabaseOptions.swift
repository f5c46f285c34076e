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
    guard FileManager.default.fileExists(atPath: path) else {
      throw .io("\(path): no such database (run or import something first, or pass --db)")
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
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    throw ExitCode(error.exitCode)
  }
}

/// Prints one line to standard output.
func emit(_ line: String) {
  print(line)
}
