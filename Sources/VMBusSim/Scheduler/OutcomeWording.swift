/// A phrase of an outcome message reworded since regression files recorded it. A file's
/// `expect.message` is matched as a substring, and users keep the files `fuzz` wrote with the
/// old words: a fragment that holds a former phrase also matches a message that has today's.
/// Files are never rewritten to the new words.
package struct OutcomeWording: Sendable {
  package var former: String
  package var current: String

  /// Every rewording, oldest first.
  package static let changes: [OutcomeWording] = [
    // QEMU sends no RESCIND_CHANNELOFFER at all (docs/qemu-reference.md §6.6; stop 31).
    OutcomeWording(
      former: "QEMU rescinds only when a device goes away",
      current: "QEMU never rescinds a channel")
  ]

  /// `fragment` in today's words, when it holds a former phrase.
  package static func current(of fragment: String) -> String? {
    var reworded = fragment
    for change in changes where reworded.contains(change.former) {
      reworded = reworded.replacing(change.former, with: change.current)
    }
    return reworded == fragment ? nil : reworded
  }
}
