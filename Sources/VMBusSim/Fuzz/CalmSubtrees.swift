/// The explorer's second reduction: which subtrees were calm, and the states they cover.
///
/// Paths that differ only in when actors set their pending timers reach states whose keys
/// differ in the timers' distances alone. Such states take the same steps for as long as
/// nothing waits for a timer: a timer is read only when no action is enabled (`idle`: the
/// clock jumps to the earliest deadline and fires what is due), and which actions are
/// enabled reads no time. So a subtree is *calm* when nothing in it went idle and every state
/// it reached again had a calm subtree; once it is done, a state with its key but for the
/// distances, reached at its depth or lower down, is not expanded: its schedules within the
/// depth are the subtree's, step for step. (The Linux restarts set waits of seconds that
/// nothing within the depth reaches, and every step of another actor moved them.)
///
/// Each node taken to be expanded has a frame: its parent's, how many of its children are
/// still to be done, whether its subtree is calm so far, and its key without timers.
struct CalmSubtrees {
  private struct Frame {
    var parent: Int32
    var pending: Int32 = 0
    var calm = true
    var untimedKey: Int
    var depth: Int32
  }

  /// Frames in use and frames done, for reuse: as many as the nodes on the explorer's
  /// stack and their ancestors, not one per state.
  private var frames: [Frame]
  private var free: [Int32] = []
  /// The untimed keys of calm subtrees that are done, each at the shallowest depth.
  private var covered = VisitedSet()

  /// Opens the root's frame, ``root``.
  init(rootUntimedKey: Int) {
    frames = [Frame(parent: -1, untimedKey: rootUntimedKey, depth: 0)]
  }

  /// The exploration's root's frame.
  static var root: Int32 { 0 }

  /// Whether a calm subtree that is done covers a state with `untimedKey` at `depth`.
  func covers(_ untimedKey: Int, depth: Int) -> Bool {
    covered.contains(untimedKey, atOrAbove: depth)
  }

  /// The frame of a child of `parent`'s node, to be expanded.
  mutating func open(parent: Int32, untimedKey: Int, depth: Int) -> Int32 {
    let frame = Frame(parent: parent, untimedKey: untimedKey, depth: Int32(clamping: depth))
    frames[Int(parent)].pending += 1
    if let reused = free.popLast() {
      frames[Int(reused)] = frame
      return reused
    }
    frames.append(frame)
    return Int32(frames.count - 1)
  }

  /// Something in the frame's subtree went idle, or reached a state whose subtree is not
  /// known to be calm (not done yet, or it went idle).
  mutating func disturb(_ frame: Int32) {
    frames[Int(frame)].calm = false
  }

  /// Whether the frame's node has children still to be done.
  func hasPendingChildren(_ frame: Int32) -> Bool {
    frames[Int(frame)].pending > 0
  }

  /// The frame's node is expanded and its children are done: a calm subtree covers its key
  /// from now on, and the parent's subtree is done once its last child's is.
  @inline(never)
  mutating func close(_ frame: Int32) {
    var index = frame
    while true {
      let done = frames[Int(index)]
      free.append(index)
      if done.calm { _ = covered.insert(done.untimedKey, depth: Int(done.depth)) }
      guard done.parent >= 0 else { return }
      let parent = Int(done.parent)
      if !done.calm { frames[parent].calm = false }
      frames[parent].pending -= 1
      guard frames[parent].pending == 0 else { return }
      index = done.parent
    }
  }
}
