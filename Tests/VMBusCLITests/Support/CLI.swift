import Foundation

/// What one run of `vmbus-sim` printed and how it ended.
struct CLIResult: Sendable, CustomStringConvertible {
  /// Everything written to standard output.
  var stdout: String
  /// Everything written to standard error.
  var stderr: String
  /// The exit status, or the signal number when ``exited`` is false.
  var status: Int32
  /// Whether the process exited (rather than dying of a signal, e.g. a trap).
  var exited: Bool

  /// Standard output split into lines, without the final empty one.
  var lines: [String] { Self.lines(stdout) }
  /// Standard error split into lines, without the final empty one.
  var errorLines: [String] { Self.lines(stderr) }

  static func lines(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  var description: String {
    "exit \(status)\(exited ? "" : " (signal)")\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
  }
}

/// Why the executable could not be run.
struct CLIError: Error, CustomStringConvertible {
  var description: String
}

/// Runs the built `vmbus-sim` executable, found next to the test bundle.
enum CLI {
  /// The executable's name in the build directory.
  static let name = "vmbus-sim"

  /// The built executable: in the directory of the running test binary (`/proc/self/exe` on
  /// Linux, `CommandLine.arguments[0]`, or the `.xctest` bundle's parent).
  static let executable: URL? = {
    var directories: [URL] = []
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      directories.append(URL(fileURLWithPath: path).deletingLastPathComponent())
    }
    if let first = CommandLine.arguments.first {
      directories.append(
        URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      directories.append(bundle.bundleURL.deletingLastPathComponent())
    }
    return directories.lazy.map { $0.appendingPathComponent(name) }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Runs `vmbus-sim arguments` in `directory` and waits for it.
  ///
  /// The environment is the test process's without `VMBUS_SIM_DB`, plus `environment`.
  static func run(
    _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
    input: String? = nil
  ) async throws -> CLIResult {
    let outputs = FileManager.default.temporaryDirectory
      .appendingPathComponent("vmbus-cli-output-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: outputs) }
    let stdoutURL = outputs.appendingPathComponent("stdout")
    let stderrURL = outputs.appendingPathComponent("stderr")
    var stdinURL: URL?
    if let input {
      let url = outputs.appendingPathComponent("stdin")
      try Data(input.utf8).write(to: url)
      stdinURL = url
    }
    let process = try start(
      arguments, environment: environment, in: directory, stdin: stdinURL, stdout: stdoutURL,
      stderr: stderrURL)
    await waitForExit(process)
    return CLIResult(
      stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
      status: process.terminationStatus, exited: process.terminationReason == .exit)
  }

  /// Starts `vmbus-sim arguments` without waiting; its output goes to the given files (or
  /// nowhere).
  static func start(
    _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
    stdin: URL? = nil, stdout: URL? = nil, stderr: URL? = nil
  ) throws -> Process {
    guard let executable else {
      throw CLIError(
        description: "\(name) is not built next to the tests: run `swift build --build-tests`")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    merged["VMBUS_SIM_DB"] = nil
    merged.merge(environment) { _, new in new }
    process.environment = merged
    if let directory { process.currentDirectoryURL = directory }
    if let stdin {
      process.standardInput = try FileHandle(forReadingFrom: stdin)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    process.standardOutput = try handle(writingTo: stdout)
    process.standardError = try handle(writingTo: stderr)
    try process.run()
    return process
  }

  /// Waits for `process` to end without blocking a thread of the cooperative pool.
  static func waitForExit(_ process: Process) async {
    while process.isRunning {
      try? await Task.sleep(for: .milliseconds(5))
    }
    process.waitUntilExit()
  }

  /// The environment variable that makes `import` stop itself after its Nth batch commits.
  static let stopAfterCommits = "VMBUS_SIM_STOP_AFTER_COMMITS"
  /// The environment variable that makes `fuzz` stop itself after every commit.
  static let stopAtEachCommit = "VMBUS_SIM_STOP_AT_EACH_COMMIT"

  /// Waits until `process` is stopped (SIGSTOP) or has ended; returns whether it is stopped.
  static func waitUntilStopped(_ process: Process, seconds: Double = 300) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline {
      if isStopped(pid: process.processIdentifier) { return true }
      try? await Task.sleep(for: .milliseconds(5))
    }
    return false
  }

  /// Whether `/proc/PID/stat` says the process is stopped: the state field, after the
  /// parenthesized command name (which may itself hold spaces or parentheses), is `T`.
  static func isStopped(pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first == "T"
  }

  private static func handle(writingTo url: URL?) throws -> FileHandle {
    guard let url else { return FileHandle.nullDevice }
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
      throw CLIError(description: "\(url.path): cannot create")
    }
    return try FileHandle(forWritingTo: url)
  }
}
