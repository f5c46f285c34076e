/// Every random decision of a run, drawn from a seed or replayed from a recorded list.
///
/// Each draw is recorded, so a run is reproducible from its choices alone, and a shrinker
/// can edit the list (a value out of range for its draw is reduced modulo the bound).
package struct ChoiceSource: Sendable {
  private var generator: SplitMix64
  private let replay: [UInt32]
  /// Past the replayed choices: draw from the seed, or take 0 (a shrunk case's simplest
  /// continuation).
  private let zeroAfterReplay: Bool
  private var position = 0
  /// The draws made so far, each already reduced to its bound.
  package private(set) var recorded: [UInt32] = []

  /// Draws from `seed`.
  package init(seed: UInt64) {
    generator = SplitMix64(seed: seed)
    replay = []
    zeroAfterReplay = false
  }

  /// Replays `choices`; once they run out, draws from `seed`, or takes 0 when
  /// `zeroAfterReplay` (how shrunk cases and regression files are replayed).
  package init(replaying choices: [UInt32], seed: UInt64, zeroAfterReplay: Bool = false) {
    generator = SplitMix64(seed: seed)
    replay = choices
    self.zeroAfterReplay = zeroAfterReplay
  }

  /// A value in `0..<bound` (0 when the bound is 0 or 1, without consuming a draw).
  package mutating func pick(below bound: Int) -> Int {
    guard bound > 1 else { return 0 }
    let value: UInt32
    if position < replay.count {
      value = replay[position] % UInt32(bound)
    } else if zeroAfterReplay {
      value = 0
    } else {
      value = UInt32(generator.next() % UInt64(bound))
    }
    position += 1
    recorded.append(value)
    return Int(value)
  }

  /// True with `probability` (0 and 1 consume no draw).
  package mutating func chance(_ probability: Double) -> Bool {
    guard Self.drawsChance(probability) else { return probability >= 1 }
    return pick(below: Self.chanceResolution) < Self.chanceThreshold(probability)
  }

  /// `chance` counts probabilities in millionths.
  private static var chanceResolution: Int { 1_000_000 }

  /// Draws below this read as true.
  private static func chanceThreshold(_ probability: Double) -> Int {
    Int(probability * Double(chanceResolution))
  }

  /// Whether `chance(probability)` takes a draw (0 and 1 take none).
  static func drawsChance(_ probability: Double) -> Bool {
    probability > 0 && probability < 1
  }

  /// Each outcome a drawn `chance(probability)` can have, as the draw that gives it: true
  /// (unless the probability is below a millionth), then false. For a caller that steers
  /// the draws (the exhaustive mode) and records them, so that the ordinary scheduler,
  /// replaying them, draws the same outcomes.
  static func chanceOutcomes(_ probability: Double) -> [(outcome: Bool, draw: UInt32)] {
    let isFalse = (false, UInt32(chanceResolution - 1))
    return chanceThreshold(probability) > 0 ? [(true, 0), isFalse] : [isFalse]
  }
}
