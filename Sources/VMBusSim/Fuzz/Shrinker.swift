import VMBusHost

/// Shrinks a failing case to a minimal one with the same failure signature (or a guest
/// error to one that breaks the same rule): fewest guest steps, then fewest scheduler
/// choices, then simplest field values (Hypothesis-style edits of the recorded choice
/// sequence, each kept only if the target still holds).
package struct Shrinker {
  /// What every candidate must still do.
  package enum Target: Hashable, Sendable {
    /// Fail with this signature.
    case failure(FailureSignature)
    /// End in a guest error for this rule, breaking no property.
    case guestError(RootCause)
  }

  package let target: Target
  /// Runs the shrinker may spend.
  package var budget: Int
  package private(set) var runs = 0
  /// Under `.linux` every candidate stays something Linux does: the kernel's own connect
  /// and offer request stay, and no value is made simpler than a driver's.
  package let inputs: GuestInputs
  /// Compiled Linux steps and message bytes, shared by the candidates: they differ in a
  /// step or a choice, and rebuilding a boot's GPADL page lists for each one dominated
  /// Linux-mode shrinking.
  private var compiledSteps = CompiledStepCache()
  private let messages = MessageCache()

  package init(signature: FailureSignature, budget: Int = 3_000, inputs: GuestInputs = .any) {
    self.init(.failure(signature), budget: budget, inputs: inputs)
  }

  package init(_ target: Target, budget: Int = 3_000, inputs: GuestInputs = .any) {
    self.target = target
    self.budget = budget
    self.inputs = inputs
  }

  /// A smaller case that fails the same way (or `original` when nothing smaller does).
  package mutating func shrink(_ original: FuzzCase) -> FuzzCase {
    // Pin every decision first, so later edits change one thing at a time.
    var best = original
    best.choices = original.run().choices
    best.zeroAfterReplay = true
    guard failsSame(best) else { return original }
    var improved = true
    while improved && runs < budget {
      improved = false
      improved = shrinkSteps(&best) || improved
      improved = shrinkFaults(&best) || improved
      improved = shrinkChoices(&best) || improved
      improved = shrinkFields(&best) || improved
      improved = shrinkLinuxSteps(&best) || improved
    }
    best.choices = best.run().choices
    while best.choices.last == 0 { best.choices.removeLast() }
    return best
  }

  private mutating func failsSame(_ candidate: FuzzCase) -> Bool {
    runs += 1
    // The minimal case is refolded when its group is checked again; candidates are not.
    let run = candidate.run(reusing: &compiledSteps, messages: messages)
    let failure = PropertyChecker.check(run, refold: false)
    switch target {
    case .failure(let signature):
      return failure?.signature == signature
    case .guestError(let rule):
      return failure == nil && run.outcome.kind == .guestError && run.outcome.rootCause == rule
    }
  }

  private mutating func attempt(_ best: inout FuzzCase, _ candidate: FuzzCase) -> Bool {
    guard runs < budget, failsSame(candidate) else { return false }
    best = candidate
    return true
  }

  /// Drop whole actors, then single steps, last first.
  private mutating func shrinkSteps(_ best: inout FuzzCase) -> Bool {
    var improved = false
    var actor = best.scenario.actors.count - 1
    while actor >= 0 && best.scenario.actors.count > 1 {
      var candidate = best
      candidate.scenario.actors.remove(at: actor)
      if attempt(&best, candidate) { improved = true }
      actor -= 1
    }
    for actor in best.scenario.actors.indices.reversed() {
      var step = best.scenario.actors[actor].steps.count - 1
      while step >= 0 {
        if best.scenario.actors[actor].steps.count > 1,
          inputs == .any || !ScenarioMutator.bootsKernel(best.scenario.actors[actor].steps[step])
        {
          var candidate = best
          candidate.scenario.actors[actor].steps.remove(at: step)
          if attempt(&best, candidate) { improved = true }
        }
        step -= 1
      }
    }
    return improved
  }

  private mutating func shrinkFaults(_ best: inout FuzzCase) -> Bool {
    guard best.scenario.faults != FaultSettings() else { return false }
    var candidate = best
    candidate.scenario.faults = FaultSettings()
    return attempt(&best, candidate)
  }

  /// Shorter prefixes, deleted blocks, then zeroed and halved values.
  private mutating func shrinkChoices(_ best: inout FuzzCase) -> Bool {
    var improved = false
    var length = best.choices.count / 2
    while length > 0 {
      var candidate = best
      candidate.choices = Array(best.choices.prefix(length))
      if attempt(&best, candidate) { improved = true } else { break }
      length = best.choices.count / 2
    }
    for block in [8, 4, 2, 1] {
      var start = 0
      while start + block <= best.choices.count && runs < budget {
        var candidate = best
        candidate.choices.removeSubrange(start..<(start + block))
        if !attempt(&best, candidate) { start += block } else { improved = true }
      }
    }
    var index = 0
    while index < best.choices.count && runs < budget {
      if best.choices[index] != 0 {
        var candidate = best
        candidate.choices[index] = 0
        if attempt(&best, candidate) {
          improved = true
        } else if best.choices[index] > 1 {
          candidate.choices[index] = best.choices[index] / 2
          if attempt(&best, candidate) { improved = true }
        }
      }
      index += 1
    }
    return improved
  }

  /// Literal message fields to 0, then 1.
  private mutating func shrinkFields(_ best: inout FuzzCase) -> Bool {
    var improved = false
    for actor in best.scenario.actors.indices {
      for step in best.scenario.actors[actor].steps.indices {
        guard case .send(let original) = best.scenario.actors[actor].steps[step].action else {
          continue
        }
        for index in original.fields.indices {
          for simpler in [UInt64(0), 1] {
            // Re-read the step: an earlier field of it may already be simpler.
            guard case .send(var spec) = best.scenario.actors[actor].steps[step].action,
              case .number(let value) = spec.fields[index].value, value > simpler
            else { break }
            spec.fields[index] = FieldOverride(spec.fields[index].field, .number(simpler))
            var candidate = best
            candidate.scenario.actors[actor].steps[step].action = .send(spec)
            if attempt(&best, candidate) {
              improved = true
              break
            }
          }
        }
      }
    }
    return improved
  }

  /// Composite steps in their simplest form: connect straight to 4.0, the smallest rings.
  private mutating func shrinkLinuxSteps(_ best: inout FuzzCase) -> Bool {
    guard inputs == .any else { return false }
    var improved = false
    for actor in best.scenario.actors.indices {
      for step in best.scenario.actors[actor].steps.indices {
        let simpler: StepAction
        switch best.scenario.actors[actor].steps[step].action {
        case .linux(.connect(let versions, let vcpu)) where versions != [.win10]:
          simpler = .linux(.connect(versions: [.win10], vcpu: vcpu))
        case .linux(.open(let device, let sub, let pages, let vp, let status)) where pages ?? 64 > 4:
          simpler = .linux(
            .open(device: device, subchannel: sub, ringPages: 4, targetVP: vp, expectStatus: status)
          )
        default:
          continue
        }
        var candidate = best
        candidate.scenario.actors[actor].steps[step].action = simpler
        if attempt(&best, candidate) { improved = true }
      }
    }
    return improved
  }
}

extension FuzzCase {
  /// The case shrunk to a smaller one that still ends in a guest error for `rule` and breaks
  /// no property, with its run (transcript included); nil when this case does not (a seed a
  /// resumed campaign counted under another build, or a run that also broke a property,
  /// which is filed as a failure).
  package func shrunk(toGuestError rule: RootCause, budget: Int = 3_000, inputs: GuestInputs)
    -> (minimal: FuzzCase, run: SimulationRun)?
  {
    var shrinker = Shrinker(.guestError(rule), budget: budget, inputs: inputs)
    let minimal = shrinker.shrink(self)
    let run = minimal.run(transcript: true)
    guard run.outcome.kind == .guestError, run.outcome.rootCause == rule,
      PropertyChecker.check(run) == nil
    else { return nil }
    return (minimal, run)
  }
}
