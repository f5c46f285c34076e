import Testing
import VMBusSim

@testable import VMBusSessions

/// The transcript's time column: twelve columns wide whatever the run's length.
@Suite struct TranscriptTimeTests {
  @Test(
    "microseconds below a second, seconds from one on, right-aligned in 12 columns",
    arguments: [
      (83_000, "    83.000µs"), (999_999_999, "999999.999µs"), (1_000_084_000, "   1.000084s"),
      (2_000_084_001, "2.000084001s"), (3_600_000_000_000, "3600.000000s"),
    ] as [(UInt64, String)])
  func timeColumn(nanoseconds: UInt64, text: String) {
    #expect(TranscriptRenderer.time(VirtualDuration(nanoseconds: nanoseconds)) == text)
  }
}
