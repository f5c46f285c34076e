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
      Exit status 1 when any file fails. With --json, one object: the counts and each \
      file's result.

      Example:
        vmbus-sim check scenarios/regressions
      """)

  @Argument(help: "Files or directories (default: scenarios).") var paths: [String] = []
  @Flag(help: "Print one JSON summary: each file's result, differences and notes.")
  var json = false

  func run() throws {
    var failed = false
    try reportingFailures {
      var results: [CheckResult] = []
      for file in try CheckWorkflow.files(paths.isEmpty ? ["scenarios"] : paths) {
        let result = CheckWorkflow.check(file)
        results.append(result)
        // Text goes out file by file, as each is checked.
        if !json { result.textLines.forEach(emit) }
      }
      failed = results.contains { !$0.passed }
      if json {
        var out = JSONBuilder()
        CheckResult.writeJSON(results, into: &out)
        emit(out.text)
      } else {
        emit(CheckResult.totalLine(results))
      }
    }
    if failed { throw ExitCode(1) }
  }
}
