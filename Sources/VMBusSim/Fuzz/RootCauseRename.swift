import VMBusHost

/// A root cause given a new name: a regression file written under the former name still
/// records the signature, so `check` passes it (with a note) and `fuzz` counts it as that
/// signature's file instead of filing a second one. Files are never rewritten to the new name.
package struct RootCauseRename: Sendable {
  package var former: RootCause
  package var current: RootCause
  /// Where the former name meant the current one, when it still means something else
  /// elsewhere (nil: everywhere).
  package var tracePoint: FailurePoint?

  /// Every rename, oldest first.
  package static let all: [RootCauseRename] = [
    // §9.53 was named by the invariant it breaks before it had QEMU's name (stop 30).
    RootCauseRename(
      former: RootCause("invariant.refcounts_balanced"), current: .postLoadGpadlRefcountReset,
      tracePoint: .simulator(SimulatorEvent.migratedName))
  ]

  /// `signature` under today's root cause, when a rename applies to it.
  package static func current(of signature: FailureSignature) -> FailureSignature? {
    guard
      let rename = all.first(where: {
        $0.former == signature.rootCause
          && ($0.tracePoint == nil || $0.tracePoint == signature.tracePoint)
      })
    else { return nil }
    var renamed = signature
    renamed.rootCause = rename.current
    return renamed
  }
}
