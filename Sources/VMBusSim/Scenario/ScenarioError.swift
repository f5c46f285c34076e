/// A problem in a scenario file, at the line and column where it is written.
package struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file as the caller named it (`scenarios/linux-boot.yaml`).
  package var file: String
  /// Where the offending key or value starts (1-based).
  package var location: SourceLocation
  /// What is wrong, lowercase, naming the key and the value.
  package var message: String

  package init(file: String, location: SourceLocation, message: String) {
    self.file = file
    self.location = location
    self.message = message
  }

  /// `FILE:LINE:COL: error: MESSAGE`, the form compilers print.
  package var description: String {
    "\(file):\(location.line):\(location.column): error: \(message)"
  }
}

/// Every problem found in one scenario file, in file order.
package struct ScenarioErrors: Error, Hashable, Sendable, CustomStringConvertible {
  /// The problems, sorted by location (problems at one location keep the order found).
  package var errors: [ScenarioError]

  package init(_ errors: [ScenarioError]) {
    self.errors = errors
  }

  /// One `FILE:LINE:COL: error: MESSAGE` line per problem.
  package var description: String {
    errors.map(\.description).joined(separator: "\n")
  }
}
