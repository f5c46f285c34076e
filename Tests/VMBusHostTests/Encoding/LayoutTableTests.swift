import Testing
import VMBusWire

@testable import VMBusHost

/// Tables other code indexes by position agree with what they describe.
@Suite("Layout tables")
struct LayoutTableTests {
  @Test("a trace point's ordinal is its position in allCases (QEMU's trace-events order)")
  func tracePointOrdinals() {
    for (index, point) in TracePoint.allCases.enumerated() {
      #expect(point.ordinal == index, "\(point.name)")
    }
  }

  @Test("QEMU's reply sizes: one row per type, each at least a header")
  func replySizes() {
    let replies = HostReply.allCases
    #expect(Set(replies.map(\.type)).count == replies.count)
    // Not `minimumLength`: QEMU's VERSION_RESPONSE (12 bytes) is shorter than the 16 Linux
    // reads.
    for reply in replies {
      #expect(Int(reply.size) >= WireLimits.headerSize, "\(reply.type.name)")
    }
    // Every reply is posted in exactly one bus state.
    let posted = BusState.allCases.flatMap(HostReply.posted(in:))
    #expect(posted.count == replies.count && Set(posted) == Set(replies))
  }

  @Test("a hardened failure reply posts a row of the table in its bus state")
  func failureRepliesUseTheTable() {
    let replies: [FailureReply] = [
      .gpadlRefused(childRelid: ChannelID(1), gpadlID: GpadlID(2)),
      .gpadlTorndown(GpadlID(2)), .openRefused(childRelid: ChannelID(1), openID: 3),
    ]
    for reply in replies {
      let posts = HostReply.posted(in: reply.bus)
      #expect(posts.contains { $0.type == reply.message.type }, "\(reply)")
    }
  }
}
