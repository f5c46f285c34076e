import VMBusHost
import VMBusWire

/// How a run ended, and where.
package struct Outcome: Hashable, Sendable, Codable, CustomStringConvertible {
  package var kind: OutcomeKind
  /// The 1-based seq of the event where it happened, when there is one.
  package var atSeq: Int?
  /// What happened, in words.
  package var message: String
  /// For a hang the host caused (a waiting actor had posted the request and nothing
  /// withdrew it): the reply type the host owes.
  package var owedReply: MessageType?
  /// The QEMU check or path the outcome rests on (a fault's, a hang's or a guest error's),
  /// nil for a pass or a failed expectation.
  package var rootCause: RootCause?

  package init(
    _ kind: OutcomeKind, atSeq: Int?, message: String, owedReply: MessageType? = nil,
    rootCause: RootCause? = nil
  ) {
    self.kind = kind
    self.atSeq = atSeq
    self.message = message
    self.owedReply = owedReply
    self.rootCause = rootCause
  }

  /// Whether this outcome is what `expected` asks for (a message fragment in a reworded
  /// phrase's former words matches too: ``OutcomeWording``).
  package func satisfies(_ expected: ExpectedOutcome) -> Bool {
    guard kind == expected.kind else { return false }
    guard let fragment = expected.messageContains else { return true }
    if message.contains(fragment) { return true }
    return OutcomeWording.current(of: fragment).map { message.contains($0) } ?? false
  }

  package var description: String {
    "\(kind.rawValue)\(atSeq.map { " at seq \($0)" } ?? "")\(message.isEmpty ? "" : ": \(message)")"
  }
}

/// One line of a run's readable transcript, with the events it caused.
package struct TranscriptEntry: Hashable, Sendable {
  /// Who did what.
  package enum Direction: String, Hashable, Sendable {
    /// An actor posted a message (or signalled).
    case guestToHost = "guest→host"
    /// A host message reached the guest.
    case hostToGuest = "host→guest"
    /// The host ran, or a delivery completed.
    case host
    /// The environment changed.
    case environment
  }

  package var time: VirtualDuration
  package var actor: String?
  package var direction: Direction
  package var text: String
  /// Indexes into the run's events (0-based, half-open).
  package var events: Range<Int>
}
