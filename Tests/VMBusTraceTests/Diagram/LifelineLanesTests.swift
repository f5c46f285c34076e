import Testing
import VMBusTrace
import VMBusWire

@Suite struct LifelineLanesTests {
  @Test func gpadlsThatNeverLiveTogetherShareALane() {
    let a = LifelineKey.gpadl(GpadlID(1))
    let b = LifelineKey.gpadl(GpadlID(2))
    let c = LifelineKey.gpadl(GpadlID(3))
    let lanes = LifelineLane.pack([
      .bus: [LifelineSpan(start: 0, state: "listen")],
      a: [LifelineSpan(start: 1, state: "init"), LifelineSpan(start: 5, state: "absent")],
      b: [LifelineSpan(start: 2, state: "alive"), LifelineSpan(start: 9, state: "absent")],
      c: [LifelineSpan(start: 5, state: "init")],
      .channel(ChannelID(4)): [LifelineSpan(start: 0, state: "offered")],
    ])
    #expect(lanes.map(\.name) == ["bus", "channel 4", "gpadls #1", "gpadl 2"])
    let shared = lanes[2].spans.map { "\($0.start) \($0.state) \($0.object?.description ?? "-")" }
    #expect(shared == ["1 init gpadl 1", "5 init gpadl 3"])
    let alone = lanes[3].spans.map { "\($0.start) \($0.state)" }
    #expect(alone == ["2 alive", "9 absent"])
  }

  @Test func aGpadlFreedAndCreatedAgainIsTwoStretches() {
    let a = LifelineKey.gpadl(GpadlID(1))
    let lanes = LifelineLane.pack([
      a: [
        LifelineSpan(start: 1, state: "init"), LifelineSpan(start: 3, state: "absent"),
        LifelineSpan(start: 7, state: "alive"),
      ]
    ])
    #expect(lanes.count == 1)
    #expect(lanes[0].name == "gpadl 1")
    #expect(lanes[0].spans.map(\.start) == [1, 3, 7])
  }
}
