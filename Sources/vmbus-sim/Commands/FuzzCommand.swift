import ArgumentParser
import Foundation
import VMBusHost
import VMBusSessions
import VMBusSim

struct FuzzCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fuzz",
    abstract:
      "Explore mutated scenarios and schedules for host faults, hangs and broken invariants.",
    discussion: """
      Each seed mutates a scenario (fields, steps, extra and corrupted messages, busy or \
      failed deliveries, machine resets) and drives the scheduler. Failures are grouped by \
      signature (property, root cause, trace point, bus state); each \
      signature's lowest seed is shrunk to a minimal case as soon as it is seen, stored as a \
      session and filed under --regressions (default scenarios/regressions) for `vmbus-sim \
      check`; findings and a checkpoint are committed as the campaign goes, so a killed \
      campaign keeps them and --resume continues it. A file already \
      recording the signature is kept as it is and the finding reported as known; \
      --replace-smaller lets a strictly smaller case (fewer steps, then fewer choices) replace \
      it. No other file is ever written over. Runs ending in a guest error (the guest broke \
      the protocol) are counted, not reported as failures. Passing runs are not stored. Exit \
      status 1 when a failure was found.

      Examples:
        vmbus-sim fuzz scenarios/linux-boot.yaml --seeds 20000
        vmbus-sim fuzz --host hardened --time 60s --jobs 2
        vmbus-sim fuzz --qemu-release 5.1 --time 60s --no-regressions
        vmbus-sim fuzz --guest linux --time 10m --jobs 2
        vmbus-sim fuzz --shard 3/8 --seeds 1000000 --db shard3.sqlite
      """)

  @Argument(help: "Scenario files (default: every scenarios/*.yaml).") var scenarios: [String] = []
  @OptionGroup var database: DatabaseOptions
  @Option(help: "Host profile to fuzz: qemu or hardened (default: each scenario's own).")
  var host: HostProfileArgument?
  @Option(
    help:
      "QEMU release whose machine reset the qemu profile follows: 5.1, 7.1 or current (default: each scenario's own, else current)."
  )
  var qemuRelease: QEMUReleaseArgument?
  @Option(
    help:
      "What the guest may do: any (every message, malformed ones included) or linux (only an unmodified Linux guest's linux.* steps, with reboots, kexec, kdump, hibernation, driver rebinds and busy slots; default scenarios: those written in linux.* steps only)."
  )
  var guest: GuestInputsArgument = GuestInputsArgument(inputs: .any)
  @Option(help: "Seeds to run (default 10000 unless --time is given).") var seeds: UInt64?
  @Option(help: "Wall-clock budget for the seeds, e.g. 60s or 10m (shrinking comes after it).")
  var time: DurationArgument?
  @Option(help: "First seed.") var seedBase: UInt64 = 0
  @Option(help: "Worker threads.") var jobs: Int = 1
  @Option(
    help:
      "This process's share of the seed space, I/N (0-based), or auto/N to take I from the batch engine: JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN (a Slurm job array)."
  )
  var shard: ShardArgument?
  @Option(help: "Directory for regression files.") var regressions: String = "scenarios/regressions"
  @Flag(help: "Do not write regression files.") var noRegressions = false
  @Flag(
    help:
      "Let a strictly smaller minimal case (fewer steps, then fewer choices) replace the regression file recording its signature."
  )
  var replaceSmaller = false
  @Flag(
    help:
      "Continue the newest unfinished campaign in the database with the same scenarios and options (a killed one) from its last checkpoint."
  )
  var resume = false
  @Flag(help: "Explore every schedule of each scenario (no mutations) up to --depth.")
  var exhaustive = false
  @Option(
    help: "Scheduler steps per path in --exhaustive mode (default \(Explorer.defaultDepth))."
  ) var depth: Int?
  @Option(
    help:
      "Stop exploring a scenario after this many states in --exhaustive mode (default \(Explorer.defaultStateLimit)); the report says when a scenario stopped before every schedule up to --depth."
  )
  var maxStates: Int?
  @Flag(help: "Print one JSON summary.") var json = false

  func validate() throws {
    if replaceSmaller && noRegressions {
      throw ValidationError(
        "--replace-smaller replaces regression files; --no-regressions writes none")
    }
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
    if let depth {
      guard depth >= 1 else { throw ValidationError("--depth must be at least 1, found \(depth)") }
      guard exhaustive else { throw ValidationError("--depth bounds --exhaustive mode") }
    }
    if let maxStates {
      guard maxStates >= 1 else {
        throw ValidationError("--max-states must be at least 1, found \(maxStates)")
      }
      guard exhaustive else { throw ValidationError("--max-states bounds --exhaustive mode") }
    }
    if exhaustive {
      // The exhaustive mode explores every schedule: it draws no seeds and has no budget.
      // It runs on one thread (its visited set decides which path reaches a state first).
      let ignored = [
        seeds.map { _ in "--seeds" }, time.map { _ in "--time" }, shard.map { _ in "--shard" },
        seedBase != 0 ? "--seed-base" : nil, resume ? "--resume" : nil,
        jobs != 1 ? "--jobs" : nil,
      ].compactMap { $0 }
      if !ignored.isEmpty {
        throw ValidationError(
          "--exhaustive explores every schedule to --depth and takes no \(ignored.joined(separator: ", "))"
        )
      }
    }
    if let shard { _ = try shard.resolved(ProcessInfo.processInfo.environment) }
  }

  func run() throws {
    var found = false
    try reportingFailures {
      let paths =
        scenarios.isEmpty
        ? try CheckWorkflow.files(["scenarios"]).filter { !$0.contains("/regressions/") }
        : scenarios
      var options = FuzzOptions(
        scenarioPaths: paths, profile: host?.profile, qemuRelease: qemuRelease?.release,
        guestInputs: guest.inputs, defaultScenarios: scenarios.isEmpty,
        seedCount: seeds ?? (time == nil ? 10_000 : nil), duration: time?.duration,
        seedBase: seedBase, jobs: jobs,
        shard: try shard?.resolved(ProcessInfo.processInfo.environment) ?? (0, 1),
        regressionsDirectory: noRegressions ? nil : regressions, replaceSmaller: replaceSmaller)
      options.resume = resume
      options.afterCommit = CommitStop.eachCommitFromEnvironment()
      if exhaustive {
        found = try runExhaustive(options)
        return
      }
      let live = isatty(2) != 0
      let summary = try FuzzWorkflow.run(options, store: try database.open()) { progress in
        guard live else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.statusLine)".utf8))
      }
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      found = !summary.findings.isEmpty
      if json {
        var out = JSONBuilder()
        summary.writeJSON(into: &out)
        emit(out.text)
      } else {
        summary.textLines.forEach(emit)
      }
    }
    if found { throw ExitCode(1) }
  }

  private func runExhaustive(_ options: FuzzOptions) throws -> Bool {
    let depth = depth ?? Explorer.defaultDepth
    let live = isatty(2) != 0
    let summary = try FuzzWorkflow.explore(
      options, depth: depth, stateLimit: maxStates ?? Explorer.defaultStateLimit,
      store: try database.open()
    ) { scenario, progress in
      guard live else { return }
      let line = progress.statusLine(scenario: scenario, depth: depth)
      FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }
    if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    if json {
      var out = JSONBuilder()
      summary.writeJSON(into: &out)
      emit(out.text)
    } else {
      summary.textLines(depth: depth).forEach(emit)
    }
    return !summary.findings.isEmpty
  }
}

struct HostProfileArgument: ExpressibleByArgument {
  let profile: HostProfile
  init?(argument: String) {
    guard let profile = HostProfile(rawValue: argument) else { return nil }
    self.profile = profile
  }
  static let allValueStrings = HostProfile.allCases.map(\.rawValue)
}

struct GuestInputsArgument: ExpressibleByArgument {
  let inputs: GuestInputs
  init(inputs: GuestInputs) { self.inputs = inputs }
  init?(argument: String) {
    guard let inputs = GuestInputs(rawValue: argument) else { return nil }
    self.inputs = inputs
  }
  var defaultValueDescription: String { inputs.rawValue }
  static let allValueStrings = GuestInputs.allCases.map(\.rawValue)
}

struct QEMUReleaseArgument: ExpressibleByArgument {
  let release: QEMURelease
  init?(argument: String) {
    guard let release = QEMURelease(rawValue: argument) else { return nil }
    self.release = release
  }
  static let allValueStrings = QEMURelease.allCases.map(\.rawValue)
}

/// `60s`, `10m`, `500ms`.
struct DurationArgument: ExpressibleByArgument {
  let duration: Duration
  init?(argument: String) {
    if argument.hasSuffix("m"), !argument.hasSuffix("ms"), let minutes = Int64(argument.dropLast())
    {
      duration = .seconds(minutes * 60)
      return
    }
    guard let virtual = VirtualDuration(argument.hasSuffix("s") ? argument : argument + "s") else {
      return nil
    }
    duration = .nanoseconds(Int64(clamping: virtual.nanoseconds))
  }
}

/// `I/N`: shard I of N, 0-based; or `auto/N`, with I from the batch engine running the
/// process (docs/scale-out.md).
struct ShardArgument: ExpressibleByArgument {
  enum Index {
    case given(UInt64)
    case fromEngine
  }

  let index: Index
  let count: UInt64

  init?(argument: String) {
    let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let count = UInt64(parts[1]), count > 0 else { return nil }
    if parts[0] == "auto" {
      index = .fromEngine
    } else {
      guard let index = UInt64(parts[0]), index < count else { return nil }
      self.index = .given(index)
    }
    self.count = count
  }

  /// The shard as (index, count), the index read from `environment` for `auto/N`.
  func resolved(_ environment: [String: String]) throws(ValidationError) -> (
    index: UInt64, count: UInt64
  ) {
    let index: UInt64
    switch self.index {
    case .given(let given): index = given
    case .fromEngine: index = try Self.engineIndex(environment)
    }
    guard index < count else {
      throw ValidationError(
        "--shard auto/\(count): the batch engine gave index \(index), outside 0..<\(count)")
    }
    return (index, count)
  }

  private static func engineIndex(_ environment: [String: String]) throws(ValidationError)
    -> UInt64
  {
    if let text = environment["JOB_COMPLETION_INDEX"] {
      guard let index = UInt64(text) else {
        throw ValidationError("--shard auto: JOB_COMPLETION_INDEX is '\(text)', not an index")
      }
      return index
    }
    if let text = environment["SLURM_ARRAY_TASK_ID"] {
      let minimum = environment["SLURM_ARRAY_TASK_MIN"] ?? "0"
      guard let id = UInt64(text), let first = UInt64(minimum), id >= first else {
        throw ValidationError(
          "--shard auto: SLURM_ARRAY_TASK_ID '\(text)' and SLURM_ARRAY_TASK_MIN '\(minimum)' give no index"
        )
      }
      return id - first
    }
    throw ValidationError(
      "--shard auto/N takes its index from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm), and neither is set; give --shard I/N"
    )
  }
}
