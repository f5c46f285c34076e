import Foundation
import VMBusSim
import VMBusStore
import VMBusTrace

/// Why a session command failed, with the exit status a shell script can test (sysexits.h).
package enum SessionsError: Error, Sendable, CustomStringConvertible {
  /// Malformed input: trace lines, binary records, scenario files. Every diagnostic.
  case badInput([String])
  /// A file could not be read or written.
  case io(String)
  /// An input file does not exist or cannot be opened.
  case missingInput(String)
  /// The database refused (not ours, newer schema, locked, missing session).
  case store(StoreError)
  /// The request itself is wrong (an unknown seq, an impossible option combination).
  case usage(String)
  /// Reading or writing a trace file failed (the file, the call and its errno).
  case traceIO(TraceIOError)
  /// A simple trace's bytes are not what the format says, at an offset.
  case simpleTrace(SimpleTraceError)
  /// A refusal the caller can lift, and how: a front end names its own option for it.
  indirect case withRemedy(SessionsError, Remedy)

  package var description: String {
    switch self {
    case .badInput(let lines): lines.joined(separator: "\n")
    case .io(let message), .missingInput(let message): "error: \(message)"
    case .store(let error): "error: \(error)"
    case .usage(let message): "error: \(message)"
    // Both name the file and say "error:" themselves.
    case .traceIO(let error): error.description
    case .simpleTrace(let error): error.description
    case .withRemedy(let error, let remedy): "\(error); \(remedy)"
    }
  }

  /// EX_DATAERR 65, EX_IOERR 74, EX_NOINPUT 66 for a missing session or file, EX_USAGE 64.
  package var exitCode: Int32 {
    switch self {
    case .badInput: 65
    case .io: 74
    case .missingInput: 66
    case .store(.sessionNotFound), .store(.noSuchFile): 66
    // A database that is not ours, damaged, from a newer build, or already merged.
    case .store(.notADatabase), .store(.notOurDatabase), .store(.missingTables),
      .store(.missingColumns),
      .store(.newerSchema), .store(.malformed), .store(.corruptEvent), .store(.corruptSnapshot),
      .store(.corruptSession), .store(.campaignAlreadyMerged):
      65
    // A seq the user asked for that the session does not have.
    case .store(.sequenceOutOfRange): 64
    case .store: 74
    case .usage: 64
    case .traceIO(let error): Self.exitCode(error)
    case .simpleTrace(let error):
      if case .io(let cause) = error.kind { Self.exitCode(cause) } else { 65 }
    case .withRemedy(let error, _): error.exitCode
    }
  }

  /// A file that is not there is missing input; any other failed call is I/O.
  private static func exitCode(_ error: TraceIOError) -> Int32 {
    error.operation == .open && error.errno == ENOENT ? 66 : 74
  }
}

/// What lifts a refusal, in the library's terms (its API). The command line says it with its
/// own options instead, so the libraries name no flag.
package enum Remedy: Sendable, Hashable, CustomStringConvertible {
  /// Skip a last line cut off mid-event (`TraceImporter.allowsCutOffLastLine`).
  case skipCutOffLastLine
  /// Store a log without `vmbus_*` events as an empty session (`TraceImporter.allowsNoEvents`).
  case keepLogWithoutEvents
  /// Fuzz the scenario with every guest input, not Linux's alone (`GuestInputs.any`).
  case fuzzAnyGuest
  /// Start a new campaign rather than resume one (`FuzzOptions.resume` false).
  case startNewCampaign

  package var description: String {
    switch self {
    case .skipCutOffLastLine: "TraceImporter.allowsCutOffLastLine skips it"
    case .keepLogWithoutEvents: "or set TraceImporter.allowsNoEvents to store an empty session"
    case .fuzzAnyGuest: "fuzz it with GuestInputs.any"
    case .startNewCampaign: "or start a new campaign (FuzzOptions.resume false)"
    }
  }
}
