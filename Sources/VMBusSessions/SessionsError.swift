import VMBusSim
import VMBusStore
import VMBusTrace

/// Why a session command failed, with the exit status a shell script can test (sysexits.h).
public enum SessionsError: Error, Sendable, CustomStringConvertible {
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

  public var description: String {
    switch self {
    case .badInput(let lines): lines.joined(separator: "\n")
    case .io(let message), .missingInput(let message): "error: \(message)"
    case .store(let error): "error: \(error)"
    case .usage(let message): "error: \(message)"
    }
  }

  /// EX_DATAERR 65, EX_IOERR 74, EX_NOINPUT 66 for a missing session or file, EX_USAGE 64.
  public var exitCode: Int32 {
    switch self {
    case .badInput: 65
    case .io: 74
    case .missingInput: 66
    case .store(.sessionNotFound): 66
    // A seq the user asked for that the session does not have.
    case .store(.sequenceOutOfRange): 64
    case .store: 74
    case .usage: 64
    }
  }
}
