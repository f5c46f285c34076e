#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed system call while reading or writing a trace file.
package struct TraceIOError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What was being attempted.
  package enum Operation: String, Hashable, Sendable {
    /// `open(2)`.
    case open
    /// `read(2)`.
    case read
    /// `write(2)`.
    case write
    /// `close(2)`.
    case close
  }

  /// The file's path as given.
  package var path: String
  /// The failed call.
  package var operation: Operation
  /// The `errno` it set.
  package var errno: Int32

  /// Creates an error for `operation` on `path` that set `errno`.
  package init(path: String, operation: Operation, errno: Int32) {
    self.path = path
    self.operation = operation
    self.errno = errno
  }

  package var description: String {
    "\(path): error: cannot \(operation.rawValue): \(String(cString: strerror(errno)))"
  }
}
