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

  /// Two OPENCHANNELs for one relid, the older taken by QEMU and judged `verdict`.
  static func twoOpens(olderJudged verdict: RequestVerdict) -> PostedRequests {
    var requests = PostedRequests()
    requests.post(Self.open)
    requests.post(Self.open)
    requests.judge(Self.open, verdict)
    return requests
  }

  @Test("QEMU takes requests with one key in the order they were posted")
  func judgedInOrder() {
    var requests = Self.twoOpens(olderJudged: Self.tooShort)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort, nil])
    requests.judge(Self.open, Self.handled)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort, Self.handled])
    // A third take has no request left to judge.
    requests.judge(Self.open, Self.rangeShape)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort, Self.handled])
  }

  @Test("a reply settles the request QEMU handled, not an older one it refused or dropped")
  func replySettlesTheHandledRequest() {
    for older in [Self.tooShort, Self.rangeShape] {
      var requests = Self.twoOpens(olderJudged: older)
      requests.judge(Self.open, Self.handled)
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
    var requests = Self.twoOpens(olderJudged: Self.tooShort)
    requests.settle(Self.open)
    #expect(requests.entries.map(\.verdict) == [Self.tooShort])
  }

  @Test("a hang's verdict: a named drop, else QEMU's silence, else the guest's error")
  func hangVerdictOrder() {
    var requests = PostedRequests()
    requests.post(Self.open)
    requests.judge(Self.open, Self.tooShort)
    #expect(requests.verdict(on: Self.open) == Self.tooShort)
    requests.post(Self.open)
    // Not taken yet (or taken by a path the oracle does not judge): owed.
    #expect(requests.verdict(on: Self.open) == Self.handled)
    requests.post(Self.open)
    requests.judge(Self.open, Self.rangeShape)
    #expect(requests.verdict(on: Self.open) == Self.rangeShape)
  }

  @Test("a GPADL is owed a reply once its bodies bring every page; a teardown withdraws it")
  func gpadlPages() {
    var requests = PostedRequests()
    requests.post(Self.gpadl, missingPages: 5)
    // QEMU takes the header before the bodies come: the verdict waits with it.
    requests.judge(Self.gpadl, Self.handled)
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
    requests.post(Self.gpadl, missingPages: 1)
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
    requests.post(Self.gpadl, missingPages: 1)
    requests.post(Self.gpadl, missingPages: 6)
    requests.judge(Self.gpadl, Self.handled)
    requests.judge(Self.gpadl, Self.rangeShape)
    requests.add(pages: 6, toGpadl: 0x100)
    #expect(requests.entries.map(\.missingPages) == [1, 0])
    #expect(requests.verdict(on: Self.gpadl) == Self.rangeShape)
  }
}
