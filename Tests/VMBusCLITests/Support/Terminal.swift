import Foundation

/// Runs `vmbus-sim` on a pseudo-terminal (`script(1)`), where it shows status lines.
enum Terminal {
  /// What the run wrote to the terminal (standard output and error together), and its status.
  static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    guard let executable = CLI.executable else { throw CLIError(description: "no vmbus-sim") }
    let command = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
  }
}
