import Foundation
import VMBusHost
import VMBusSim

/// The result of re-running one scenario or regression file.
package struct CheckResult: Sendable {
  package var path: String
  package var passed: Bool
  /// What was compared, or the first divergence as a small diff.
  package var lines: [String]
  /// Worth knowing whether it passed or not (the run rests on an input beyond QEMU, the
  /// file records an old-form signature).
  package var notes: [String] = []
}

/// `check`: re-runs scenario and regression files and compares each with what it records.
package enum CheckWorkflow {
  /// Every `.yaml` file under `paths` (files as given, directories recursively, sorted).
  package static func files(_ paths: [String]) throws(SessionsError) -> [String] {
    var found: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .missingInput("\(path): no such file or directory")
      }
      guard isDirectory.boolValue else {
        found.append(path)
        continue
      }
      let entries = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
      found += entries.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(path)/\($0)" }
    }
    return found
  }

  /// Re-runs one file: its outcome must satisfy `expect`, and a regression file's events
  /// must equal the recorded ones line for line and its signature the recorded one (an
  /// old-form signature is compared on the parts it holds; see `RecordedSignature`).
  package static func check(_ path: String) -> CheckResult {
    let scenario: Scenario
    do {
      scenario = try ScenarioRunner(path: path, seed: 0).load().scenario
    } catch {
      return CheckResult(path: path, passed: false, lines: ["\(error)"])
    }
    let run = Simulation.reproduce(scenario, seed: 0, transcript: false)
    var lines: [String] = []
    var notes: [String] = []
    let beyond = run.inputsBeyondQEMU
    if !beyond.isEmpty {
      notes.append(
        "rests on \(beyond.map(\.rawValue).joined(separator: ", ")), an input QEMU cannot receive")
    }
    if !run.outcome.satisfies(scenario.expected) {
      lines.append(
        "outcome: expected \(ScenarioWriter.expectation(scenario.expected)), got \(run.outcome)")
    }
    if let record = scenario.regression {
      let actual = run.events.map(\.text)
      if let index = zip(record.events, actual).enumerated().first(where: {
        $0.element.0 != $0.element.1
      })?.offset {
        lines.append("events diverge at seq \(index + 1):")
        for seq in max(index - 2, 0)..<index { lines.append("    #\(seq + 1) \(actual[seq])") }
        lines.append("  - #\(index + 1) \(record.events[index])")
        lines.append("  + #\(index + 1) \(actual[index])")
      } else if record.events.count != actual.count {
        let seq = min(record.events.count, actual.count) + 1
        lines.append(
          "events: recorded \(record.events.count), re-run gives \(actual.count) (from seq \(seq))")
      }
      lines += record.signature.differences(
        from: PropertyChecker.firstBrokenProperty(run)?.signature)
      if case .guestError(let rule) = record.signature, run.outcome.rootCause != rule {
        lines.append(
          "guest error: recorded rule \(rule), re-run gives \(run.outcome.rootCause.map(\.rawValue) ?? "none")"
        )
      }
      if case .legacy = record.signature {
        notes.append("old-form signature: root cause compared only for host faults")
      }
      if case .renamed(let recorded, let current) = record.signature {
        notes.append(
          "root cause \(recorded.rootCause) is now \(current.rootCause); the file keeps its name")
      }
    }
    return CheckResult(path: path, passed: lines.isEmpty, lines: lines, notes: notes)
  }
}
