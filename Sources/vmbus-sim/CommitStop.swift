import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A seam for durability tests: with `VMBUS_SIM_STOP_AFTER_COMMITS=N` in the environment,
/// `import` stops itself (SIGSTOP) right after its Nth batch commits; with
/// `VMBUS_SIM_STOP_AT_EACH_COMMIT=1`, `fuzz` stops itself after every commit. A test can
/// then read beside a writer that is mid-run, or SIGKILL it, at a known point instead of
/// racing it (a busy test runner may not look at a campaign before it has ended).
enum CommitStop {
  static let environmentVariable = "VMBUS_SIM_STOP_AFTER_COMMITS"
  static let eachCommitVariable = "VMBUS_SIM_STOP_AT_EACH_COMMIT"

  /// A callback stopping the process after each commit, if the environment asks for one.
  static func eachCommitFromEnvironment() -> (@Sendable () -> Void)? {
    guard ProcessInfo.processInfo.environment[eachCommitVariable] == "1" else { return nil }
    return { raise(SIGSTOP) }
  }

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
