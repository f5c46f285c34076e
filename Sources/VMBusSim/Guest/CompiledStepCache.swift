/// Linux composite steps compiled once and reused: a fuzz campaign compiles a new mutation
/// of the same script every run, and each composite step expands into dozens of ops.
struct CompiledStepCache {
  /// Placed steps kept at most. Mutations make a bounded set of composite variants and
  /// places; the bound keeps memory flat whatever the scenarios hold.
  static let capacity = 4_096

  /// A composite step and the op it begins at.
  private struct Placement: Hashable {
    var step: Step
    var start: Int
    var context: CompileContext
  }

  /// Each composite step's ops where it began (mutations move steps by a few ops, so a step
  /// is found at a handful of places).
  private var fragments: [Placement: GuestProgram] = [:]

  init() {}

  /// The ops of `step` compiled to begin at op `start`, from the cache when it holds them.
  mutating func fragment(for step: Step, at start: Int, context: CompileContext) -> GuestProgram {
    let placement = Placement(step: step, start: start, context: context)
    if let fragment = fragments[placement] { return fragment }
    let atZero =
      start == 0
      ? GuestProgram(compiling: [step], context: context)
      : fragment(for: step, at: 0, context: context)
    let fragment = atZero.relocated(by: start)
    if fragments.count < Self.capacity { fragments[placement] = fragment }
    return fragment
  }
}

extension GuestProgram {
  /// The same program as ``init(compiling:)``, with Linux composite steps taken from `cache`
  /// (each compiled for the op it begins at: its jump targets depend on where it is).
  init(
    compiling steps: [Step], context: CompileContext, reusing cache: inout CompiledStepCache
  ) {
    self.init()
    for step in steps {
      // Other steps compile to one op each, cheaper than a cache lookup.
      guard case .linux = step.action else {
        compile(step, context: context)
        continue
      }
      let fragment = cache.fragment(for: step, at: nextIndex, context: context)
      // A program that is one composite step (a driver probe) shares the cached lists
      // instead of copying every op.
      if ops.isEmpty {
        ops = fragment.ops
        origins = fragment.origins
      } else {
        ops += fragment.ops
        origins += fragment.origins
      }
    }
  }

  /// The program with every jump target moved by `offset`.
  fileprivate func relocated(by offset: Int) -> GuestProgram {
    guard offset != 0 else { return self }
    var moved = self
    moved.ops = ops.map { $0.relocated { $0 + offset } }
    return moved
  }
}

extension GuestOp {
  /// The op with every jump target passed through `move`.
  func relocated(_ move: (Int) -> Int) -> GuestOp {
    switch self {
    case .post(let spec, let retry, let onFailure):
      .post(spec, retry: retry, onFailure: onFailure.map(move))
    case .jump(let target): .jump(to: move(target))
    case .jumpIfRefused(let target): .jumpIfRefused(to: move(target))
    case .jumpIfConnectedBelow(let version, let target):
      .jumpIfConnectedBelow(version, to: move(target))
    case .linux(let op): .linux(op.relocated(move))
    case .waitFor, .sleep, .environment, .recordConnected, .fail: self
    }
  }
}

extension LinuxOp {
  /// The op with every jump target passed through `move`.
  func relocated(_ move: (Int) -> Int) -> LinuxOp {
    switch self {
    case .jumpIfReplyFailed(let target): .jumpIfReplyFailed(to: move(target))
    case .jumpUnless(let condition, let target): .jumpUnless(condition, to: move(target))
    case .postGpadl(let purpose, let part, let onFailure):
      .postGpadl(purpose, part: part, onFailure: move(onFailure))
    case .postOpen(let channel, let vp, let onFailure):
      .postOpen(channel, targetVP: vp, onFailure: move(onFailure))
    case .postClose(let channel, let onFailure): .postClose(channel, onFailure: move(onFailure))
    case .postTeardown(let purpose, let onFailure):
      .postTeardown(purpose, onFailure: move(onFailure))
    case .postTLConnect(let port, let onFailure):
      .postTLConnect(remotePort: port, onFailure: move(onFailure))
    case .startUnload(let skip): .startUnload(skip: move(skip))
    case .offlineSecondaryCPUs(let onFailure): .offlineSecondaryCPUs(onFailure: move(onFailure))
    case .lockSystemTransition(let busy): .lockSystemTransition(busy: busy.map(move))
    case .link, .awaitLinked, .allocateGpadl, .setChannel, .setCreated, .pollForUnload,
      .clearMessageSlots, .awaitProbes, .blockProbing, .lockDevice, .unlockDevice,
      .unlockSystemTransition, .takeKexecLock, .haltAfterPanic, .freezeProcesses, .thawProcesses,
      .freezePoint, .awaitOffer,
      .awaitResumeOffers,
      .awaitSubchannelRescinds,
      .rememberOpenChannels, .saveHibernationImage, .powerOff, .enterS3, .restartKernel,
      .expectOpenStatus, .log:
      self
    }
  }
}
