import Testing
import VMBusHost

@testable import VMBusSim

/// An actor's posted requests, one verdict each: which request a verdict, a body's pages
/// and a reply belong to when several share a key.
@Suite("Posted requests")
struct PostedRequestsTests {
  static let open = RequestKey(type: .openChannel, key: 1)
  static let gpadl = RequestKey(type: .gpadlHeader, key: 0x100)
  static let tooShort = RequestVerdict.guestError(Finding(.messageTooShort, "short"))
  static let rangeShape = RequestVerdict.owed(dropped: Finding(.gpadlHeaderRangeShape, "shape"))
  static let handled = RequestVerdict.owed(dropped: nil)

  /// Two OPENCHANNELs for one relid, the older taken by QEMU and judged `verdict`; and the
  /// newer's entry id.
  static func twoOpens(olderJudged verdict: RequestVerdict) -> (PostedRequests, UInt32) {
    var requests = PostedRequests()
    let older = requests.post(Self.open)
    let newer = requests.post(Self.open)
    requests.judge(entry: older, verdict)
    return (requests, newer)
  }

  @Test("a verdict goes to the entry the queued message made")
  func judgedByEntry() {
    var (requests, newer) = Self.twoOpens(olderJudged: Self.tooShort)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort, nil])
    requests.judge(entry: newer, Self.handled)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort, Self.handled])
  }

  /// Found by a `--guest any` campaign: a GPADL_HEADER posted, then UNLOAD (which forgets
  /// it), then Linux's header with the same id, queued behind the UNLOAD. QEMU took the first
  /// and judged it handled; by key, that verdict went to Linux's header, and the hang on it
  /// was QEMU's `reply_not_sent` instead of the guest's request after UNLOAD.
  @Test("a message whose entry the actor forgot judges nothing, not a later entry with its key")
  func forgottenEntryJudgesNothing() {
    var requests = PostedRequests()
    let forgotten = requests.post(Self.gpadl)
    requests.removeAll()
    let later = requests.post(Self.gpadl)
    #expect(later != forgotten)
    requests.judge(entry: forgotten, Self.handled)
    #expect(requests.entries.map(\.verdict) == [nil])
    #expect(requests.position(of: forgotten) == nil)
    requests.judge(
      entry: later, .guestError(Finding(.requestAfterUnload, "queued behind UNLOAD")))
    #expect(
      requests.verdict(on: Self.gpadl)
        == .guestError(Finding(.requestAfterUnload, "queued behind UNLOAD")))
  }

  @Test("a reply settles the request QEMU handled, not an older one it refused or dropped")
  func replySettlesTheHandledRequest() {
    for older in [Self.tooShort, Self.rangeShape] {
      var (requests, newer) = Self.twoOpens(olderJudged: older)
      requests.judge(entry: newer, Self.handled)
      #expect(requests.settles(Self.open))
      requests.settle(Self.open)
      #expect(requests.entries.map(\.verdict) == [older])
      #expect(requests.verdict(on: Self.open) == older)
      // QEMU's reply to the one it refused or dropped (it answers some) settles nothing.
      #expect(!requests.settles(Self.open))
      requests.settle(Self.open)
      #expect(requests.awaitsReply(Self.open))
    }
  }

  @Test("a reply settles a request not yet judged when QEMU handled none")
  func replySettlesAnUnjudgedRequest() {
    var (requests, _) = Self.twoOpens(olderJudged: Self.tooShort)
    requests.settle(Self.open)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort])
  }

  @Test("a hang's verdict: a named drop, else QEMU's silence, else the guest's error")
  func hangVerdictOrder() {
    var requests = PostedRequests()
    requests.judge(entry: requests.post(Self.open), Self.tooShort)
    #expect(requests.verdict(on: Self.open) == Self.tooShort)
    _ = requests.post(Self.open)
    // Not taken yet (or taken by a path the oracle does not judge): owed.
    #expect(requests.verdict(on: Self.open) == Self.handled)
    requests.judge(entry: requests.post(Self.open), Self.rangeShape)
    #expect(requests.verdict(on: Self.open) == Self.rangeShape)
  }

  @Test("a GPADL is owed a reply once its bodies bring every page; a teardown withdraws it")
  func gpadlPages() {
    var requests = PostedRequests()
    let header = requests.post(Self.gpadl, missingPages: 5)
    // QEMU takes the header before the bodies come: the verdict waits with it.
    requests.judge(entry: header, Self.handled)
    #expect(!requests.awaitsReply(Self.gpadl))
    requests.add(pages: 3, toGpadl: 0x100)
    requests.add(pages: 1, toGpadl: 0x200)
    #expect(requests.entries.map(\.missingPages) == [2])
    // A reply before the last page settles nothing.
    requests.settle(Self.gpadl)
    #expect(requests.entries.count == 1)
    requests.add(pages: 4, toGpadl: 0x100)
    #expect(requests.awaitsReply(Self.gpadl))
    #expect(requests.verdict(on: Self.gpadl) == Self.handled)
    // Pages of a second header with the id go to it, the first being whole.
    _ = requests.post(Self.gpadl, missingPages: 1)
    requests.add(pages: 1, toGpadl: 0x100)
    #expect(requests.entries.map(\.missingPages) == [0, 0])
    requests.withdrawGpadl(0x100)
    #expect(requests.isEmpty)
  }

  /// Found by a `--guest any` campaign: a header left without its bodies, then Linux's ring
  /// GPADL with the same id. Linux's bodies completed the older header, and the hang on
  /// Linux's GPADL_CREATED (QEMU's duplicate-id drop) was owed by nobody.
  @Test("a body's pages go to the newest header with its id that lacks pages")
  func bodiesFollowTheirHeader() {
    var requests = PostedRequests()
    let older = requests.post(Self.gpadl, missingPages: 1)
    let newer = requests.post(Self.gpadl, missingPages: 6)
    requests.judge(entry: older, Self.handled)
    requests.judge(entry: newer, Self.rangeShape)
    requests.add(pages: 6, toGpadl: 0x100)
    #expect(requests.entries.map(\.missingPages) == [1, 0])
    #expect(requests.verdict(on: Self.gpadl) == Self.rangeShape)
  }
}
