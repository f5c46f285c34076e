import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A seam for durability tests: with `VMBUS_SIM_STOP_AFTER_COMMITS=N` in the environment,
/// `import` stops itself (SIGSTOP) right after its Nth batch commits. A test can then read
/// beside a writer that is mid-import, or SIGKILL it, at a known point instead of racing it.
enum CommitStop {
  static let environmentVariable = "VMBUS_SIM_STOP_AFTER_COMMITS"

  /// The commit callback the environment asks for, or nil.
  static func fromEnvironment() -> ((_ committedEvents: Int) -> Void)? {
    guard let text = ProcessInfo.processInfo.environment[environmentVariable],
      let stopAfter = Int(text), stopAfter > 0
    else { return nil }
    var commits = 0
    return { _ in
      commits += 1
      if commits == stopAfter { raise(SIGSTOP) }
    }
  }
}
