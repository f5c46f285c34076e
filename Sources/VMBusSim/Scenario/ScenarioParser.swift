import Yams

/// Reads a scenario file (YAML, docs/scenarios.md) into a `Scenario`, reporting every problem.
package enum ScenarioParser {
  /// Parses `text`, the contents of `file`; `file` names the scenario by default and prefixes
  /// each error.
  ///
  /// Throws every problem found, in file order: a YAML syntax error is one error at its
  /// location; otherwise the whole document is checked, so one run shows all the mistakes.
  package static func parse(_ text: String, file: String) throws(ScenarioErrors) -> Scenario {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text, .basic, .default, .utf8)
    } catch {
      throw ScenarioErrors([syntaxError(error, in: text, file: file)])
    }
    var reader = ScenarioReader(file: file)
    let scenario = reader.scenario(root, defaultName: baseName(of: file))
    reader.checkDeviceReferences()
    guard reader.errors.isEmpty else {
      throw ScenarioErrors(
        reader.errors.enumerated().sorted { lhs, rhs in
          (lhs.element.location, lhs.offset) < (rhs.element.location, rhs.offset)
        }.map(\.element))
    }
    return scenario
  }

  /// The file's base name without `.yaml` or `.yml`: the default scenario name.
  static func baseName(of file: String) -> String {
    let last = file.split(separator: "/").last.map(String.init) ?? ""
    for suffix in [".yaml", ".yml"] where last.hasSuffix(suffix) && last.count > suffix.count {
      return String(last.dropLast(suffix.count))
    }
    return last.isEmpty ? "scenario" : last
  }

  /// One error for a document Yams cannot compose, at the problem's location.
  static func syntaxError(_ error: any Error, in text: String, file: String) -> ScenarioError {
    var location = SourceLocation(line: 1, column: 1)
    var message = "invalid yaml: \(error)"
    func describe(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) {
      location = SourceLocation(line: mark.line, column: mark.column)
      let problem = lowercasingFirst(problem)
      if let context {
        let mark = "\(context.mark.line):\(context.mark.column)"
        message = "invalid yaml: \(context.text) at \(mark), \(problem)"
      } else {
        message = "invalid yaml: \(problem)"
      }
    }
    switch error as? YamlError {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      describe(problem, mark, context)
    case .reader(let problem, let offset, _, _):
      location = Self.location(ofCharacter: offset ?? 0, in: text)
      message = "invalid yaml: \(lowercasingFirst(problem))"
    case .duplicatedKeysInMapping(let duplicates, let context):
      location = SourceLocation(line: context.mark.line, column: context.mark.column)
      let keys = duplicates.map { ScenarioReader.quote($0) }.joined(separator: ", ")
      message = "duplicate key \(keys)"
    default:
      break
    }
    return ScenarioError(file: file, location: location, message: message)
  }

  private static func lowercasingFirst(_ text: String) -> String {
    text.prefix(1).lowercased() + text.dropFirst()
  }

  /// The line and column of the character at `offset` (a count of `Character`s).
  private static func location(ofCharacter offset: Int, in text: String) -> SourceLocation {
    var location = SourceLocation(line: 1, column: 1)
    for character in text.prefix(max(offset, 0)) {
      if character.isNewline {
        location.line += 1
        location.column = 1
      } else {
        location.column += 1
      }
    }
    return location
  }
}
