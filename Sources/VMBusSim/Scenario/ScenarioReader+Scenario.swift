import VMBusHost
import Yams

/// The top level: name, description, expectation, faults, limits and actors.
extension ScenarioReader {
  static let scenarioKeys = [
    "name", "description", "expect", "host", "guest", "faults", "limits", "actors", "regression",
  ]

  /// The whole scenario; `root` is nil for a document with no content.
  mutating func scenario(_ root: Node?, defaultName: String) -> Scenario {
    let start = SourceLocation(line: 1, column: 1)
    let fields = fields(
      root, "", at: start, keys: Self.scenarioKeys,
      required: ["description", "expect", "host", "actors"])
    let name = fields["name"].flatMap { identifier($0, "name", what: "name") } ?? defaultName
    let description = fields["description"].flatMap { string($0, "description") } ?? ""
    let expected = fields["expect"].map { self.expectation($0) } ?? ExpectedOutcome(.passed)
    // The host comes first whatever the key order: steps name its devices.
    let host = self.host(fields["host"])
    let guest = self.guest(fields["guest"], at: fields.location)
    let faults = self.faults(fields["faults"], at: fields.location)
    let limits = self.limits(fields["limits"], at: fields.location)
    let actors = fields["actors"].map { self.actors($0) } ?? []
    var scenario = Scenario(
      name: name, description: description, expected: expected, host: host, guest: guest,
      faults: faults, actors: actors, limits: limits)
    scenario.regression = fields["regression"].flatMap { regression($0) }
    return scenario
  }

  /// `regression: {seed: N, choices: "0,1,0", property: ..., signature: ..., events: [...]}`.
  mutating func regression(_ node: Node) -> RegressionRecord? {
    let fields = fields(
      node, "regression", at: Self.location(of: node),
      keys: ["seed", "choices", "property", "signature", "events", "found_by", "reproduce"],
      required: ["seed", "choices", "property", "signature", "events"])
    let seed = integer(fields, "seed", default: UInt64(0))
    var choices: [UInt32] = []
    if let choicesNode = fields["choices"],
      let text = text(choicesNode, "regression.choices", expected: "a list of numbers")
    {
      for part in text.split(separator: ",", omittingEmptySubsequences: true) {
        guard let value = UInt32(String(part.filter { $0 != " " })) else {
          error(
            "regression.choices: expected numbers separated by commas, found \(Self.quote(String(part)))",
            at: choicesNode)
          break
        }
        choices.append(value)
      }
    }
    let property = fields["property"].flatMap { string($0, "regression.property") } ?? ""
    let signature = fields["signature"].flatMap { string($0, "regression.signature") } ?? ""
    var events: [String] = []
    if let eventsNode = fields["events"] {
      for item in sequence(eventsNode, "regression.events") {
        if let line = text(item, "regression.events", expected: "an event line") {
          events.append(line)
        }
      }
    }
    return RegressionRecord(
      seed: seed, choices: choices, property: property,
      signature: RecordedSignature(text: signature), events: events)
  }

  /// `passed`, or `{outcome: host_fault, message: GPADL_BODY}`.
  mutating func expectation(_ node: Node) -> ExpectedOutcome {
    guard case .mapping = node else {
      return ExpectedOutcome(outcome(node, "expect") ?? .passed)
    }
    let fields = fields(
      node, "expect", at: Self.location(of: node), keys: ["outcome", "message"],
      required: ["outcome"])
    let kind = fields["outcome"].flatMap { outcome($0, "expect.outcome") } ?? .passed
    let message = fields["message"].flatMap { string($0, "expect.message") }
    return ExpectedOutcome(kind, messageContains: message)
  }

  private mutating func outcome(_ node: Node, _ path: String) -> OutcomeKind? {
    choice(
      node, path, "outcome", plural: "outcomes", OutcomeKind.allCases.map { ($0.rawValue, $0) })
  }

  mutating func faults(_ node: Node?, at location: SourceLocation) -> FaultSettings {
    let fields = fields(
      node, "faults", at: location, keys: ["slot_busy", "message_page_missing"])
    return FaultSettings(
      slotBusy: probability(fields, "slot_busy"),
      messagePageMissing: probability(fields, "message_page_missing"))
  }

  mutating func limits(_ node: Node?, at location: SourceLocation) -> RunLimits {
    let fields = fields(node, "limits", at: location, keys: ["max_steps", "max_time"])
    let defaults = RunLimits()
    let maxSteps = integer(fields, "max_steps", default: defaults.maxSteps, in: 1...Int.max)
    var maxTime = defaults.maxTime
    if let node = fields["max_time"], let time = duration(node, "limits.max_time") {
      if time.nanoseconds == 0 {
        error("limits.max_time: must be more than 0", at: node)
      }
      maxTime = time
    }
    return RunLimits(maxSteps: maxSteps, maxTime: maxTime)
  }

  /// The actors: at least one, each named uniquely, each with at least one step.
  mutating func actors(_ node: Node) -> [ActorScript] {
    let items = sequence(node, "actors")
    if items.isEmpty, Self.isNull(node) || node.sequence != nil {
      error("actors: expected at least one actor", at: node)
    }
    var seen: [String: SourceLocation] = [:]
    var actors: [ActorScript] = []
    for item in items {
      let fields = fields(
        item, "actors", at: Self.location(of: item), keys: ["name", "steps"],
        required: ["name", "steps"])
      var name = ""
      if let nameNode = fields["name"], let text = identifier(nameNode, "actors.name", what: "name")
      {
        name = text
        if let first = seen[text] {
          error(
            "actors.name: actor \(Self.quote(text)) is already defined at \(first)", at: nameNode)
        } else {
          seen[text] = Self.location(of: nameNode)
        }
      }
      var steps: [Step] = []
      if let stepsNode = fields["steps"] {
        let items = sequence(stepsNode, "actors.steps")
        if items.isEmpty, Self.isNull(stepsNode) || stepsNode.sequence != nil {
          error("actors.steps: expected at least one step", at: stepsNode)
        }
        steps = items.compactMap { step($0) }
      }
      actors.append(ActorScript(name: name, steps: steps))
    }
    return actors
  }
}
