import Testing
import VMBusHost
import VMBusTrace
import VMBusWire

@Suite struct DiagramBuilderTests {
  /// A row's message in one line: direction, label, fate, reply and seqs.
  static func summary(_ row: DiagramRow) -> String {
    let seqs = row.seqs.map(String.init).joined(separator: ",")
    switch row.content {
    case .message(let message):
      let arrow = message.direction == .guestToHost ? "G→H" : "H→G"
      let reply = message.replyTo.map { " reply-to \($0)" } ?? ""
      return "\(arrow) \(message.label) [\(message.fate.rawValue)\(reply)] \(seqs)"
    case .note(let note):
      return "note \(note.kind.rawValue): \(note.text) \(seqs)"
    }
  }

  @Test func bareTraceRowsSayWhatTheTracesGive() {
    let diagram = SessionDiagram.build(DiagramFixtures.bareEvents)
    #expect(
      diagram.rows.map(Self.summary) == [
        "G→H INITIATE_CONTACT version 4.0 vcpu 0 [handled] 1,2,3",
        "H→G VERSION_RESPONSE version_supported 1 [delivered reply-to 0] 4,5",
        "G→H REQUESTOFFERS [handled] 6,7",
        "H→G OFFERCHANNEL relid 1 sub 0 [busy reply-to 2] 8,9,10",
        "H→G OFFERCHANNEL relid 1 sub 0 [delivered reply-to 2] 11,12,13",
        "H→G ALLOFFERS_DELIVERED [delivered reply-to 2] 14,15,16",
        "G→H GPADL_HEADER gpadl 925200 gfns 2 [handled] 17,19,20",
        "G→H GPADL_BODY gpadl 925200 [handled] 18,21,22",
        "H→G GPADL_CREATED gpadl 925200 status 0 [delivered reply-to 7] 23,24,25",
        "G→H OPENCHANNEL relid 1 gpadl 925200 vp 0 [handled] 26,27,28",
        "H→G OPENCHANNEL_RESULT relid 1 status 0 [delivered reply-to 9] 29,30,31",
        "note data_plane: data plane: signal, notify channel 1 ×2 32,33,34",
        "G→H CLOSECHANNEL [ignored] 35,36",
        "G→H RELID_RELEASED [ignored] 37,38",
        "note stray: delivery callback with nothing posted 39",
      ])
    #expect(diagram.messageCount == 13)
    #expect(diagram.seqs == 1...39)
    let violations = diagram.rows.flatMap(\.violations)
    #expect(violations.map(\.seq) == [39])
    #expect(violations.map(\.violation.rule) == [.callbackWithoutMessage])
  }

  @Test func everyEventLandsInExactlyOneRowInOrder() {
    for events in [DiagramFixtures.bareEvents, DiagramFixtures.simulated()] {
      let diagram = SessionDiagram.build(events)
      let seqs = diagram.rows.flatMap(\.seqs).sorted()
      #expect(seqs == events.map(\.seq))
      #expect(diagram.rows.map(\.firstSeq) == diagram.rows.map(\.firstSeq).sorted())
      for row in diagram.rows { #expect(row.seqs == row.seqs.sorted()) }
    }
  }

  @Test func simulatedMessagesCarryTheirPayloadFieldsAndFates() throws {
    let diagram = SessionDiagram.build(DiagramFixtures.simulated())
    let messages = diagram.rows.compactMap(\.message)
    let first = try #require(messages.first)
    #expect(first.type == .initiateContact)
    #expect(first.fate == .rejected)
    #expect(first.hypercallStatus == .invalidConnectionID)
    #expect(first.label == "INITIATE_CONTACT version 4.0 vcpu 0 conn 4")
    #expect(first.outcome == "rejected: invalid connection id (18)")
    #expect(first.hasPayload)

    let created = try #require(messages.first { $0.type == .gpadlCreated })
    #expect(created.label == "GPADL_CREATED relid 1 gpadl 512 status 0")
    #expect(created.fate == .delivered)

    let close = try #require(messages.first { $0.type == .closeChannel })
    #expect(close.relid == ChannelID(7))
    #expect(close.fate == .ignored)

    let offers = messages.filter { $0.type == .requestOffers }
    #expect(offers.count { $0.fate == .flushed } == 15)
    #expect(offers.count { $0.fate == .busy } == 2)
    #expect(
      offers.filter { $0.fate == .busy }.allSatisfy { $0.hypercallStatus == .insufficientBuffers })
    #expect(offers.filter { $0.fate == .flushed }.allSatisfy { $0.flushedAt != nil })

    let unloadRow = try #require(diagram.rows.firstIndex { $0.message?.type == .unload })
    #expect(diagram.rows[unloadRow].message?.fate == .handled)
    let response = try #require(messages.first { $0.type == .unloadResponse })
    #expect(response.replyTo == unloadRow)
    #expect(response.fate == .delivered)

    let last = try #require(diagram.rows.last)
    #expect(last.note?.kind == .hostFault)
    #expect(last.note?.text.hasPrefix("HOST FAULT: GPADL_BODY for full gpadl") == true)
    let body = try #require(messages.last)
    #expect(body.type == .gpadlBody)
    #expect(body.fate == .handled)
  }

  @Test func anExcerptStartsFromTheStoredStateWithItsQueue() throws {
    let events = DiagramFixtures.bareEvents
    // Cut after the two GPADL messages were queued and before either was taken.
    var initial = HostState()
    for (_, event) in events.prefix(18) { _ = initial.apply(event) }
    #expect(initial.rxQueue.count == 2)
    var builder = DiagramBuilder(initial: initial, firstSeq: 19)
    for (seq, event) in events.dropFirst(18) { builder.add(seq: seq, event: event) }
    let diagram = builder.finish()
    let first = try #require(diagram.rows.first?.message)
    #expect(first.type == .gpadlHeader)
    #expect(first.queuedBeforeStart)
    #expect(first.label == "GPADL_HEADER gpadl 925200 gfns 2")
    #expect(first.outcome == "handled (queued before the first event shown)")
    #expect(diagram.rows.first?.seqs == [19, 20])
    #expect(diagram.seqs == 19...39)
    #expect(diagram.lifelines[.bus]?.first?.start == 18)
  }

  @Test func lifelinesFollowChannelsAndGpadls() {
    let diagram = SessionDiagram.build(DiagramFixtures.bareEvents)
    #expect(
      diagram.lifelineKeys == [.bus, .channel(ChannelID(1)), .gpadl(GpadlID(925200))])
    let channel = diagram.lifelines[.channel(ChannelID(1))]?.map { "\($0.start) \($0.state)" }
    #expect(channel == ["8 offering", "13 offered", "28 opening", "31 open"])
    let gpadl = diagram.lifelines[.gpadl(GpadlID(925200))]?.map { "\($0.start) \($0.state)" }
    #expect(gpadl == ["20 init", "25 alive"])
    #expect(diagram.queueLengths.map(\.length).allSatisfy { (0...16).contains($0) })
  }
}
