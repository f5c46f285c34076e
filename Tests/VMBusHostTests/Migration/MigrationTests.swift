import Testing
import VMBusWire

@testable import VMBusHost

/// Live migration as upstream QEMU does it (hw/hyperv/vmbus.c `vmstate_vmbus`,
/// `vmbus_post_load`; docs/qemu-migration.md): the saved image, the load, and what is lost.
@Suite("Migration")
struct MigrationTests {
  /// The event a migration of `state` decides first.
  static func migrated(_ state: HostState) -> HostEvent {
    .simulator(.migrated(savedDigest: state.migrationDigest.finalized))
  }

  /// What the destination holds after `vmbus_post_load`, written field by field from the
  /// source (independently of `loadMigration`).
  static func loaded(from source: HostState) -> HostState {
    var state = source
    for index in state.channels.indices {
      state.channels[index].state = .initial
      state.channels[index].offer = .initial
    }
    for index in state.gpadls.indices { state.gpadls[index].refcount = 1 }
    if source.rxQueue.isEmpty { state.rxQueue = RxQueue() }
    state.messageInFlight = false
    state.pendingRuns = 1
    state.busNotifierSet = false
    state.handling = nil
    state.announcedPost = nil
    state.awaiting = nil
    state.failureReply = nil
    return state
  }

  @Test(
    "the fold through sim_migrated gives the state vmbus_post_load loads, from random states",
    arguments: [UInt64](0..<4))
  func foldGivesTheLoadedState(seed: UInt64) throws {
    var inputs = RandomInputs(seed: seed &+ 7000)
    var checked = 0
    for sequence in 0..<300 {
      var state = HostState()
      for input in inputs.startInputs() { _ = HostModel.step(&state, input) }
      for _ in 0..<Int.random(in: 0...50, using: &inputs.rng) {
        _ = HostModel.step(&state, inputs.input(for: state))
        guard state.isAlive else { break }
      }
      guard state.isAlive else { continue }
      let source = state
      let decided = HostModel.step(&state, .migrate)
      #expect(decided == [Self.migrated(source)], "seed \(seed) sequence \(sequence)")
      let differences = state.differences(from: Self.loaded(from: source))
      #expect(differences.isEmpty, "seed \(seed) sequence \(sequence): \(differences)")
      // The loaded state is a state like any other: it encodes and decodes to itself.
      #expect(try HostState(canonicalBytes: state.canonicalBytes) == state)
      checked += 1
    }
    #expect(checked > 100)
  }

  @Test("the image holds what vmstate_vmbus saves: no channel state, no refcounts, no empty queue")
  func imageFields() {
    var h = HostHarness.withOpenChannel()
    let state = h.state
    let image = MigrationImage(saving: state)
    #expect(image.bus == state.bus && image.version == state.version)
    #expect(image.targetVP == state.targetVP && image.interruptPage == state.interruptPage)
    #expect(image.gpadls.map(\.id) == state.gpadls.map(\.id))
    #expect(image.rxQueue == nil)
    // The refcount is not saved: the digest does not change with it.
    var other = state
    other.gpadls[0].refcount += 5
    #expect(MigrationImage(saving: other).digest.finalized == image.digest.finalized)
    // The channel states are not saved either.
    other.channels[0].state = .initial
    #expect(MigrationImage(saving: other).digest.finalized == image.digest.finalized)
    // The GPADL's state is.
    other.gpadls[0].state = .tearingDown
    #expect(MigrationImage(saving: other).digest.finalized != image.digest.finalized)
    h.send(.requestOffers)
    #expect(MigrationImage(saving: h.state).rxQueue?.count == 1)
  }

  @Test(
    "§9.53 a GPADL torn down under an open channel comes back with a reference no one holds, and its id stays blocked"
  )
  func tornDownGpadlLeaks() throws {
    var h = HostHarness.withOpenChannel()
    h.teardownGpadl()
    #expect(h.state.gpadls.first?.state == .tornDown && h.state.gpadls.first?.refcount == 1)
    var state = h.state
    _ = HostModel.step(&state, .migrate)
    let gpadl = try #require(state.gpadls.first)
    #expect(gpadl.state == .tornDown && gpadl.refcount == 1)
    #expect(state.channels[0].state == .initial)
    #expect(state.firstInvariantViolation?.invariant == .refcountsBalanced)
    // The close puts nothing (the channel is not open on the destination); the GPADL stays.
    _ = HostModel.step(
      &state, .post(.closeChannel(CloseChannel(childRelid: Fixtures.firstChannel))))
    for _ in 0..<4 { _ = HostModel.step(&state, .runBus) }
    #expect(state.gpadl(Fixtures.ringGpadl)?.refcount == 1)
    // A new GPADL_HEADER with that id is ignored (`handle_gpadl_header` finds it).
    let header = Fixtures.gpadlHeader(id: Fixtures.ringGpadl, pages: 4)
    _ = HostModel.step(&state, .post(header))
    let run = HostModel.step(&state, .runBus)
    #expect(run.contains(.trace(.gpadlHeader(gpadlID: Fixtures.ringGpadl, numGfns: 4))))
    #expect(state.bus == .listen, "no GPADL_CREATED is owed for the blocked id")
  }

  @Test(
    "a migration while OPENCHANNEL_RESULT is owed: the destination's run finds no OPENING channel and aborts"
  )
  func openChannelStateAborts() {
    var h = HostHarness.withOpenChannel()
    h.close()
    h.send(Fixtures.openChannel(Fixtures.firstChannel, gpadl: Fixtures.ringGpadl))
    h.step(.runBus)
    #expect(h.state.bus == .openChannel)
    h.expect(.migrate, [Self.migrated(h.state)]) { $0 = Self.loaded(from: $0) }
    h.expect(.runBus, [Expect.fault(.noObjectForBusState(.openChannel))]) {
      $0.fault = .noObjectForBusState(.openChannel)
    }
  }

  @Test("a reply in flight is forgotten and regenerated from the saved state: GPADL_CREATED again")
  func inFlightReplyIsRegenerated() {
    var h = HostHarness.withOpenChannel()
    let id = GpadlID(0xE1E11)
    h.send(Fixtures.gpadlHeader(id: id, pages: 4))
    h.step(.runBus)
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
    h.expect(.migrate, [Self.migrated(h.state)]) { $0 = Self.loaded(from: $0) }
    h.expect(.runBus, [.trace(.gpadlCreated(gpadlID: id)), Expect.posted(.gpadlCreated)]) {
      $0.posted()
    }
  }

  @Test(
    "a migration in OFFER: no channel is SENDING on the destination, so ALLOFFERS_DELIVERED goes out at once"
  )
  func offerStateEndsTheOffers() {
    var h = HostHarness(devices: [Fixtures.balloon, Fixtures.netvsc])
    h.connect()
    h.send(.requestOffers)
    h.step(.runBus)
    #expect(h.state.bus == .offer && h.state.channels[0].offer == .sending)
    h.expect(.migrate, [Self.migrated(h.state)]) { $0 = Self.loaded(from: $0) }
    h.expect(.runBus, [.trace(.terminateOffers), Expect.posted(.allOffersDelivered)]) {
      $0.posted()
    }
  }

  @Test(
    "an empty rx queue is not sent: the destination's head is 0; a non-empty one keeps its head")
  func rxQueueHead() {
    var h = HostHarness()
    h.connect()
    h.send(.requestOffers)
    h.deliverAll()
    #expect(h.state.rxQueue.head != 0 && h.state.rxQueue.isEmpty)
    var empty = h.state
    _ = HostModel.step(&empty, .migrate)
    #expect(empty.rxQueue.head == 0)
    h.send(.requestOffers)
    var queued = h.state
    _ = HostModel.step(&queued, .migrate)
    #expect(queued.rxQueue == h.state.rxQueue)
  }

  @Test("vmbus_post_load fails when the route to target_vp cannot be re-created: a host fault")
  func routeFailureFaults() {
    var state = HostHarness(machine: MachineConfig(vcpuCount: 4, vcpusWithoutSynIC: [3])).state
    // Unreachable with the source's own machine (its route to the VP existed); the load's
    // check is QEMU's all the same.
    state.targetVP = 3
    let decided = HostModel.decide(state, .migrate)
    #expect(decided == [Self.migrated(state), Expect.fault(.migrationRouteFailed(3))])
    #expect(
      HostFault.migrationRouteFailed(3).rootCause(at: nil)
        == RootCause("vmbus_post_load.sint_route_failed"))
  }

  @Test("a sim_migrated whose digest is not the state's saved image is a violation")
  func digestMismatch() {
    var state = HostHarness.withOpenChannel().state
    let violations = state.apply(.simulator(.migrated(savedDigest: 42)))
    #expect(violations.map(\.rule) == [.savedStateMismatch])
  }

  @Test("the hardened host restores everything it saved: its whole state, unchanged")
  func hardenedRestoresEverything() {
    var h = HostHarness.withOpenChannel(profile: .hardened)
    h.send(.requestOffers)
    h.step(.runBus)
    let before = h.state
    h.expect(.migrate, [.simulator(.migrated(savedDigest: before.digest.finalized))])
  }

  @Test("sim_migrated's arguments rebuild it; a digest that is not 16 hex digits is refused")
  func arguments() throws {
    let event = SimulatorEvent.migrated(savedDigest: 0x00AB_CDEF_0123_4567)
    let arguments = Dictionary(uniqueKeysWithValues: event.arguments.map { ($0.name, $0.value) })
    #expect(arguments["saved_digest"] == .text("00abcdef01234567"))
    #expect(try SimulatorEvent(name: "sim_migrated", arguments: arguments) == event)
    for bad in ["xyz", "+0abcdef01234567", "00ABCDEF01234567", "00abcdef0123456"] {
      #expect(throws: SimulatorArgumentError.self, "\(bad)") {
        try SimulatorEvent(name: "sim_migrated", arguments: ["saved_digest": .text(bad)])
      }
    }
  }
}
