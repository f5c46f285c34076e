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
    guard probability > 0 else { return false }
    guard probability < 1 else { return true }
    let resolution = 1_000_000
    return pick(below: resolution) < Int(probability * Double(resolution))
  }
}
