import Testing
import VMBusHost

@testable import VMBusSim

/// The canonical state encoding over every state the bundled scenarios reach.
@Suite("State encoding of scenario states")
struct ScenarioStateEncodingTests {
  @Test(
    "every state of a bundled scenario's fold round-trips and re-encodes byte for byte",
    arguments: BundledScenarioTests.files)
  func roundTrip(file: String) throws {
    let path = BundledScenarioTests.directory + "/" + file
    let text = try #require(BundledScenarioTests.read(path))
    let scenario = try ScenarioParser.parse(text, file: "scenarios/" + file)
    for seed in 0..<3 as Range<UInt64> {
      let run = Simulation.run(scenario, seed: seed, transcript: false)
      var state = HostState()
      for (index, event) in run.events.enumerated() {
        _ = state.apply(event)
        let bytes = state.canonicalBytes
        let decoded = try HostState(canonicalBytes: bytes)
        #expect(decoded == state, "\(file) seed \(seed) event \(index + 1)")
        #expect(decoded.canonicalBytes == bytes, "\(file) seed \(seed) event \(index + 1)")
      }
    }
  }
}
