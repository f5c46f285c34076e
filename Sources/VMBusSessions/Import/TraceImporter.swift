import Foundation
import VMBusHost
import VMBusStore
import VMBusTrace

/// What `import` reports.
package struct ImportSummary: Sendable {
  package var session: SessionID
  /// The file's events; with a destination, the source file's.
  package var events: Int
  package var skipped: Int
  /// Skipped lines or records by reason, for the text summary.
  package var skippedByReason: [(reason: String, count: Int)]
  package var format: TraceFormat
  /// The destination's trace, for a migrated VM's import.
  package var destination: ImportedFile?

  /// Events stored in the session: with a destination, both files' and `sim_migrated`.
  package var sessionEvents: Int {
    guard let destination else { return events }
    return events + 1 + destination.events
  }
}

/// What `import` reports about the destination's trace of a migrated VM.
package struct ImportedFile: Sendable {
  /// What the session calls the file.
  package var name: String
  package var events: Int
  package var skipped: Int
  package var skippedByReason: [(reason: String, count: Int)]
  package var format: TraceFormat
}

/// Imports a QEMU trace (log backend in any dialect, or simple backend) as a session; or the
/// two traces of a live-migrated VM, the source QEMU's and the destination's, as one.
///
/// Two passes: the first parses every file whole and collects every diagnostic before the
/// database is even opened, so bad input leaves it exactly as it was (or absent); the second
/// stores the events in batches, the session `in_progress` until its last batch commits with
/// `complete`. A process killed during the second pass leaves an `in_progress` session, never
/// one that looks complete; a second pass that fails (a file changed under it) marks the
/// session `failed`. Standard input (`-`) and other files that cannot be read twice (pipes,
/// `<(zcat trace.gz)`) are first copied to a temporary file.
///
/// With ``destinationPath`` the session is the source's events, one `sim_migrated` carrying
/// the digest of what the bare fold of those events saves (`HostState.migrationDigest`),
/// then the destination's events, which fold through the load. Its metadata records the
/// destination under `destination:` keys (docs/store.md).
package struct TraceImporter {
  package var path: String
  package var format: TraceFormat?
  package var strict: Bool
  package var name: String?
  package var snapshotInterval: Int
  /// The destination QEMU's trace of a live migration whose source `path` traced.
  package var destinationPath: String?
  /// The destination's format (default: detected from its first bytes).
  package var destinationFormat: TraceFormat?
  /// Skip a last line cut off mid-event (QEMU killed while writing) instead of refusing the
  /// file.
  package var allowsCutOffLastLine = false
  /// Store a QEMU log that holds no `vmbus_*` event (other trace output only, or an empty
  /// file) as an empty session instead of refusing it. A file with no trace output at all
  /// is refused either way.
  package var allowsNoEvents = false
  /// Called after each batch of rows commits, with the number of events committed so far.
  package var afterCommit: ((_ committedEvents: Int) -> Void)?
  /// Told how far the import is: events read by the checking pass, then events committed
  /// out of the total (for a status line; called often, so it should be cheap).
  package var progress: ((ImportProgress) -> Void)?

  /// The name standard input goes by in diagnostics and as the session's source.
  package static let standardInputName = "<stdin>"

  package init(
    path: String, format: TraceFormat?, strict: Bool, name: String?, snapshotInterval: Int = 1024
  ) {
    self.path = path
    self.format = format
    self.strict = strict
    self.name = name
    self.snapshotInterval = snapshotInterval
  }

  /// What diagnostics and the session call the input at `path`.
  package static func displayName(_ path: String) -> String {
    path == "-" ? standardInputName : path
  }

  /// Why a source and a destination cannot be imported together, or nil: standard input
  /// cannot be both, and one file cannot be both sides of a migration.
  package static func pairingProblem(source: String, destination: String) -> String? {
    if source == "-" && destination == "-" {
      return "standard input can be the source or the destination, not both"
    }
    if source == destination {
      return "\(source) is given as both the source and the destination of the migration"
    }
    return nil
  }

  /// Detects the format from the file's first bytes unless one was forced.
  package func resolvedFormat() throws(SessionsError) -> TraceFormat {
    try Self.resolvedFormat(format, path: path, name: Self.displayName(path))
  }

  private static func resolvedFormat(
    _ format: TraceFormat?, path: String, name: String
  ) throws(SessionsError) -> TraceFormat {
    if let format { return format }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw .missingInput("\(name): cannot open for reading")
    }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: TraceFormat.detectionLength)) ?? Data()
    return TraceFormat.detect(firstBytes: [UInt8](head))
  }

  package func run(into store: EventStore) throws(SessionsError) -> ImportSummary {
    try run { () throws(SessionsError) in store }
  }

  /// Checks every file whole, then calls `openStore` and stores them: a file with errors
  /// never opens (or creates) the database.
  package func run(
    openingStore openStore: () throws(SessionsError) -> EventStore
  ) throws(SessionsError) -> ImportSummary {
    if let destinationPath,
      let problem = Self.pairingProblem(source: path, destination: destinationPath)
    {
      throw .usage(problem)
    }
    var spools: [InputSpool] = []
    defer { for spool in spools { spool.remove() } }
    // Both files are opened before either is checked: a missing destination is reported
    // without first reading the whole source.
    let source = try file(path, format: format, part: .source, spools: &spools)
    var destination: TraceFile?
    if let destinationPath {
      destination = try file(
        destinationPath, format: destinationFormat, part: .destination, spools: &spools)
    }
    let checkedSource = try source.check(progress: progress)
    var checkedDestination: CheckedTrace?
    if let destination {
      let before = checkedSource.events
      let report = progress
      checkedDestination = try destination.check { progress in
        guard case .checking(let events) = progress else { return }
        report?(.checking(eventsRead: before + events))
      }
    }
    let total = checkedSource.events + (checkedDestination.map { 1 + $0.events } ?? 0)

    var metadata = checkedSource.metadata
    if let destination, let checkedDestination {
      for (key, value) in checkedDestination.metadata {
        metadata[MigratedSession.destinationKey(key)] = value
      }
      metadata[MigratedSession.fileKey] = .string(destination.name)
      metadata[MigratedSession.formatKey] = .string(checkedDestination.format.storedName)
      metadata[MigratedSession.firstSeqKey] = .integer(Int64(checkedSource.events + 2))
    }
    let writer = try beginSession(
      in: try openStore(), source: source, format: checkedSource.format, metadata: metadata,
      events: total)
    let session = try writer.store(metadata: metadata) { writer throws(SessionsError) in
      try source.store(checkedSource, into: &writer)
      guard let destination, let checkedDestination else { return }
      // What the source saved is what its bare fold saves: the fold checks it against the
      // same state, and the destination's events fold from the load.
      let saved = writer.state.migrationDigest.finalized
      do throws(StoreError) {
        try writer.append(.simulator(.migrated(savedDigest: saved)), source: nil)
      } catch {
        throw .store(error)
      }
      try destination.store(checkedDestination, into: &writer)
    }
    var summary = ImportSummary(
      session: session, events: checkedSource.events, skipped: checkedSource.skipped,
      skippedByReason: checkedSource.skippedByReason, format: checkedSource.format)
    if let destination, let checked = checkedDestination {
      summary.destination = ImportedFile(
        name: destination.name, events: checked.events, skipped: checked.skipped,
        skippedByReason: checked.skippedByReason, format: checked.format)
    }
    return summary
  }

  /// The file at `path`, copied first if it cannot be read twice, with its format.
  private func file(
    _ path: String, format: TraceFormat?, part: SessionPart, spools: inout [InputSpool]
  ) throws(SessionsError) -> TraceFile {
    let name = Self.displayName(path)
    var readable = path
    if InputSpool.needsSpooling(path) {
      let spool = try InputSpool(copying: path, displayName: name)
      spools.append(spool)
      readable = spool.path
    }
    return TraceFile(
      path: readable, name: name,
      format: try Self.resolvedFormat(format, path: readable, name: name), part: part,
      strict: strict, allowsCutOffLastLine: allowsCutOffLastLine,
      allowsNoEvents: allowsNoEvents)
  }

  private func info(
    source: TraceFile, format: TraceFormat, metadata: SessionMetadata
  ) -> SessionInfo {
    let base =
      name
      ?? (source.name == Self.standardInputName
        ? "stdin" : URL(fileURLWithPath: source.name).lastPathComponent)
    return SessionInfo(
      name: base, kind: .imported,
      source: SessionSource(file: source.name, format: format.storedName),
      hostProfile: .qemu, createdAt: Date(), metadata: metadata)
  }

  /// Begins the session the second pass stores into; each commit is reported to
  /// `afterCommit` and, out of `events`, to `progress`.
  private func beginSession(
    in store: EventStore, source: TraceFile, format: TraceFormat, metadata: SessionMetadata,
    events total: Int
  ) throws(SessionsError) -> ImportWriter {
    let commit = afterCommit
    let report = progress
    do {
      let writer = try store.beginSession(
        info(source: source, format: format, metadata: metadata),
        options: WriterOptions(snapshotInterval: snapshotInterval))
      return ImportWriter(store: store, writer: writer) { committed in
        commit?(committed)
        report?(.storing(committed: committed, total: total))
      }
    } catch {
      throw .store(error)
    }
  }

  package static func source(of parsed: ParsedTraceLine) -> EventSource {
    guard let prefix = parsed.prefix else { return EventSource(line: parsed.lineNumber) }
    let nanos = prefix.seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return EventSource(
      tsText: prefix.text,
      tsNanos: nanos.overflow ? nil : nanos.partialValue &+ Int64(prefix.microseconds) &* 1_000,
      threadID: prefix.threadID.map { Int64($0) }, line: parsed.lineNumber)
  }
}

extension TraceFormat {
  /// What `sessions.source_format` and `destination:format` hold.
  var storedName: String {
    switch self {
    case .log: "log"
    case .simple: "simple"
    }
  }
}

/// How far an import is.
package enum ImportProgress: Sendable {
  /// The first pass (validation) has read this many events.
  case checking(eventsRead: Int)
  /// The second pass has committed this many of the file's events.
  case storing(committed: Int, total: Int)
}
