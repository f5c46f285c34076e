import ArgumentParser
import VMBusSessions

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Re-run scenario and regression files and compare with what they record.",
    discussion: """
      A scenario must reach the outcome it expects; a regression file must also reproduce \
      its recorded event stream line for line (the first divergence is shown as a diff) and \
      its recorded failure signature (property, root cause, trace point, bus state). A \
      signature recorded before root causes existed is compared on the parts it holds. \
      Exit status 1 when any file fails.

      Example:
        vmbus-sim check scenarios/regressions
      """)

  @Argument(help: "Files or directories (default: scenarios).") var paths: [String] = []

  func run() throws {
    var failed = 0
    var passed = 0
    try reportingFailures {
      for file in try CheckWorkflow.files(paths.isEmpty ? ["scenarios"] : paths) {
        let result = CheckWorkflow.check(file)
        if result.passed {
          passed += 1
          emit("ok    \(file)")
          result.notes.forEach { emit("      note: \($0)") }
        } else {
          failed += 1
          emit("FAIL  \(file)")
          result.lines.forEach { emit("      \($0)") }
          result.notes.forEach { emit("      note: \($0)") }
        }
      }
      emit("\(passed) passed, \(failed) failed")
    }
    if failed > 0 { throw ExitCode(1) }
  }
}
