import VMBusHost

/// What one mode of the scheduler keeps beside the host state. The scheduler is one core,
/// `Simulation<Recorder>`; each mode is a recorder, and the compiler specialises the core
/// for it, so a mode that keeps nothing pays nothing for the logs.
///
/// - ``TranscriptRecorder``: `run`, `check` and stored sessions: inputs, event times and the
///   readable transcript.
/// - ``HistoryRecorder``: fuzz runs and shrinking: inputs and event times, no transcript.
/// - ``StateRecorder``: the exhaustive explorer: the current state alone.
package protocol RunRecorder: Sendable {
  /// Whether the host's events stay in the log. Without them only the current input's
  /// events are there, for the scheduler to read its results.
  static var keepsEvents: Bool { get }
  /// Whether transcript lines are kept; when not, their text is never built.
  static var keepsTranscript: Bool { get }
  /// Whether each event is checked as the live fold applies it (``FoldMonitor``): a fuzz
  /// run's verdict then needs no refold. Runs people read are refolded by their checker.
  static var monitorsFold: Bool { get }

  init()

  /// The host decided `input`, adding `events` (indices into the log) at virtual `time`.
  mutating func record(_ input: consuming HostInput, events: Range<Int>, at time: VirtualDuration)
  /// A transcript line; called only when ``keepsTranscript``.
  mutating func note(_ entry: TranscriptEntry)
  /// Makes room for a run of about `events` events; called only when ``keepsEvents``.
  mutating func reserveCapacity(events: Int)
  /// What was kept, for the run's result.
  var history: RunHistory { get }
}

/// The logs of a run besides its events.
package struct RunHistory: Sendable {
  package var inputs: [HostInput] = []
  /// The virtual time of each event.
  package var eventTimes: [VirtualDuration] = []
  package var transcript: [TranscriptEntry] = []

  /// An input and the virtual time of each event it decided.
  mutating func record(_ input: consuming HostInput, events: Range<Int>, at time: VirtualDuration) {
    inputs.append(input)
    for _ in events { eventTimes.append(time) }
  }

  /// Room for `events` event times and half as many inputs (most inputs decide two events
  /// or more).
  mutating func reserveCapacity(events: Int) {
    eventTimes.reserveCapacity(events)
    inputs.reserveCapacity(events / 2)
  }
}

/// Keeps everything: a run people read or store.
package struct TranscriptRecorder: RunRecorder {
  package static var keepsEvents: Bool { true }
  package static var keepsTranscript: Bool { true }
  package static var monitorsFold: Bool { false }
  package private(set) var history = RunHistory()

  package init() {}

  package mutating func record(
    _ input: consuming HostInput, events: Range<Int>, at time: VirtualDuration
  ) {
    history.record(input, events: events, at: time)
  }

  package mutating func note(_ entry: TranscriptEntry) { history.transcript.append(entry) }

  package mutating func reserveCapacity(events: Int) { history.reserveCapacity(events: events) }
}

/// Keeps the inputs and events with their times, no transcript: what a fuzz run's verdict,
/// signature and stored minimal case need.
package struct HistoryRecorder: RunRecorder {
  package static var keepsEvents: Bool { true }
  package static var keepsTranscript: Bool { false }
  package static var monitorsFold: Bool { true }
  package private(set) var history = RunHistory()

  package init() {}

  package mutating func record(
    _ input: consuming HostInput, events: Range<Int>, at time: VirtualDuration
  ) {
    history.record(input, events: events, at: time)
  }

  package mutating func note(_ entry: TranscriptEntry) {}

  package mutating func reserveCapacity(events: Int) { history.reserveCapacity(events: events) }
}

/// Keeps nothing: the explorer hashes states and replays any path it reports through a
/// recording run. Its events are checked as a fuzz run's are, as they are folded: what
/// breaks between two events of one step belongs to the path, not to the state it reaches.
package struct StateRecorder: RunRecorder {
  package static var keepsEvents: Bool { false }
  package static var keepsTranscript: Bool { false }
  package static var monitorsFold: Bool { true }
  package var history: RunHistory { RunHistory() }

  package init() {}

  package mutating func record(
    _ input: consuming HostInput, events: Range<Int>, at time: VirtualDuration
  ) {}
  package mutating func note(_ entry: TranscriptEntry) {}
  package mutating func reserveCapacity(events: Int) {}
}
