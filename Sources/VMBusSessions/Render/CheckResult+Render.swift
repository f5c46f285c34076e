extension CheckResult {
  /// `check --json`: `{"passed": N, "failed": M, "files": [{"path", "passed", "differences",
  /// "notes"}]}`, the files in the order they were checked.
  package static func writeJSON(_ results: [CheckResult], into out: inout JSONBuilder) {
    out.object { out in
      out.field("passed", results.filter(\.passed).count)
      out.field("failed", results.filter { !$0.passed }.count)
      out.key("files")
      out.array { out in
        for result in results {
          out.object { out in
            out.field("path", result.path)
            out.field("passed", result.passed)
            out.key("differences")
            out.array { out in for line in result.lines { out.string(line) } }
            out.key("notes")
            out.array { out in for note in result.notes { out.string(note) } }
          }
        }
      }
    }
  }

  /// `check`'s text for one file: `ok` or `FAIL`, what differs, then the notes.
  package var textLines: [String] {
    [(passed ? "ok    " : "FAIL  ") + path] + (passed ? [] : lines.map { "      \($0)" })
      + notes.map { "      note: \($0)" }
  }

  /// `check`'s last line: `N passed, M failed`.
  package static func totalLine(_ results: [CheckResult]) -> String {
    let passed = results.filter(\.passed).count
    return "\(passed) passed, \(results.count - passed) failed"
  }
}
