import VMBusHost
import VMBusWire

@testable import VMBusSim

/// A scenario run with Linux's steps, read back message for message: what the guest posted
/// (decoded from the hypercalls, with their status), what reached it, and the model's notes.
struct LinuxGuestRun {
  /// A guest message as an actor posted it.
  struct Posted {
    var actor: String
    var message: ChannelMessage
    var connectionID: UInt32
    var status: HypercallStatus
    /// Its index in the run's transcript, to order it against other entries.
    var entry: Int
  }

  let run: SimulationRun
  let posts: [Posted]

  init(_ run: SimulationRun) {
    self.run = run
    var posts: [Posted] = []
    for (index, entry) in run.transcript.enumerated() where entry.direction == .guestToHost {
      for event in run.events[entry.events] {
        guard case .simulator(.hypercall(let call, let status)) = event,
          let message = try? ChannelMessage(decoding: call.effectivePayload)
        else { continue }
        posts.append(
          Posted(
            actor: entry.actor ?? "", message: message, connectionID: call.connectionID,
            status: status, entry: index))
      }
    }
    self.posts = posts
  }

  /// Parses `yaml` and runs it with `seed`.
  init(_ yaml: String, seed: UInt64 = 0) throws {
    self.init(Simulation.run(try ScenarioParser.parse(yaml, file: "linux-test.yaml"), seed: seed))
  }

  /// A scenario: `devices` are flow mappings of `host.devices`, `steps` those of one actor.
  static func yaml(
    devices: [String], vcpus: Int = 2, profile: String = "qemu", kernel: String = "6.12",
    autoProbe: Bool = false, steps: [String]
  ) -> String {
    """
    description: a Linux guest
    expect: passed
    host:
      profile: \(profile)
      vcpus: \(vcpus)
      devices:
    \(devices.map { "    - \($0)\n" }.joined())guest: {kernel: "\(kernel)", probe: \(autoProbe ? "auto" : "steps")}
    actors:
      - name: boot
        steps:
    \(steps.map { "      - \($0)\n" }.joined())
    """
  }

  var outcome: Outcome { run.outcome }

  /// Every post in order, one line each.
  var lines: [String] { posts.map(Self.line) }

  /// The posts without GPADL_BODY messages (their PFNs are checked on their own).
  var linesWithoutBodies: [String] {
    posts.filter { $0.message.type != .gpadlBody }.map(Self.line)
  }

  /// The posts of one actor.
  func lines(of actor: String, bodies: Bool = false) -> [String] {
    posts.filter { $0.actor == actor && (bodies || $0.message.type != .gpadlBody) }.map(Self.line)
  }

  /// The host messages that reached the guest, as the transcript words them.
  var received: [String] {
    run.transcript.filter { $0.direction == .hostToGuest }.map(\.text)
  }

  /// The model's notes (a call that returned an error without sending anything, a restart).
  var notes: [String] {
    run.transcript.filter { $0.direction == .environment }.map(\.text)
  }

  /// The transcript index of the first entry whose text contains `text`.
  func entry(containing text: String) -> Int? {
    run.transcript.firstIndex { $0.text.contains(text) }
  }

  /// GPADL ids in hex, as Linux prints them.
  static func hex(_ id: GpadlID) -> String { String(id.rawValue, radix: 16, uppercase: true) }

  /// A post in one line: its type and the fields Linux chose; a failed post ends in `!status`.
  static func line(_ posted: Posted) -> String {
    var text: String
    switch posted.message {
    case .initiateContact(let m):
      text = "INITIATE_CONTACT \(m.versionRequested) conn \(posted.connectionID)"
    case .gpadlHeader(let m):
      text =
        "GPADL_HEADER \(hex(m.gpadlID)) relid \(m.childRelid.rawValue) pages \(m.declaredPageCount)"
    case .gpadlBody(let m): text = "GPADL_BODY \(hex(m.gpadlID)) pfns \(m.pfns.count)"
    case .openChannel(let m):
      text =
        "OPENCHANNEL relid \(m.childRelid.rawValue) gpadl \(hex(m.ringBufferGpadlID)) vp \(m.targetVP) offset \(m.ringBufferOffset)"
    case .closeChannel(let m): text = "CLOSECHANNEL relid \(m.childRelid.rawValue)"
    case .gpadlTeardown(let m):
      text = "GPADL_TEARDOWN relid \(m.childRelid.rawValue) gpadl \(hex(m.gpadlID))"
    default: text = posted.message.type.name
    }
    return posted.status == .success ? text : text + " !\(posted.status.rawValue)"
  }

  /// The PFNs of GPADL `id`: its header's, then each body's, in order.
  func pfns(ofGpadl id: UInt32) -> [UInt64] {
    posts.filter { $0.status == .success }.flatMap { posted -> [UInt64] in
      switch posted.message {
      case .gpadlHeader(let m) where m.gpadlID.rawValue == id: m.pfns
      case .gpadlBody(let m) where m.gpadlID.rawValue == id: m.pfns
      default: []
      }
    }
  }

  /// The GPADL_HEADER of GPADL `id`.
  func header(ofGpadl id: UInt32) -> GpadlHeader? {
    for posted in posts {
      if case .gpadlHeader(let m) = posted.message, m.gpadlID.rawValue == id { return m }
    }
    return nil
  }

  /// The GPADL_BODY messages of GPADL `id`, in order.
  func bodies(ofGpadl id: UInt32) -> [GpadlBody] {
    posts.compactMap {
      if case .gpadlBody(let m) = $0.message, m.gpadlID.rawValue == id { m } else { nil }
    }
  }

  /// The first run of `yaml` over seeds `0..<limit` that `accept` takes.
  static func firstRun(
    _ yaml: String, seeds limit: UInt64 = 100, where accept: (LinuxGuestRun) -> Bool
  ) throws -> LinuxGuestRun? {
    let scenario = try ScenarioParser.parse(yaml, file: "linux-test.yaml")
    let prepared = PreparedScenario(scenario)
    for seed in 0..<limit {
      let run = LinuxGuestRun(Simulation.run(prepared, seed: seed))
      if accept(run) { return run }
    }
    return nil
  }
}

/// The page frames `GuestMemoryLayout` gives GPADL `id`, written out: 4 GiB, then 256 MiB per
/// id's low 16 bits.
func expectedFrames(gpadl id: UInt32, pages: Int) -> [UInt64] {
  (0..<UInt64(pages)).map { 0x10_0000 + UInt64(id & 0xFFFF) * 0x1_0000 + $0 }
}
