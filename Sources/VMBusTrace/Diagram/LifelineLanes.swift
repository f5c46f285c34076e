/// Lifelines packed into columns: objects of one kind whose lifetimes do not overlap share a
/// lane, so a session that creates and frees thousands of GPADLs still draws a handful of
/// columns (as many as were ever alive at once).
package struct LifelineLane: Hashable, Sendable {
  /// What the lane holds.
  package enum Kind: String, Hashable, Sendable {
    case bus
    case channel
    case gpadl
  }

  /// One stretch of the lane: from `start` on, `object` was in `state` (`absent`: nothing).
  package struct Span: Hashable, Sendable {
    package var start: Int
    package var state: String
    package var object: LifelineKey?
  }

  /// What the lane holds.
  package var kind: Kind
  /// `bus`, `channel 1` (a lane that only ever held one object), or `gpadls #2`.
  package var name: String
  /// The spans in seq order.
  package var spans: [Span]

  /// Packs `lifelines` into lanes: the bus, then channels, then GPADLs, each kind greedily by
  /// the start of each live stretch.
  package static func pack(_ lifelines: [LifelineKey: [LifelineSpan]]) -> [LifelineLane] {
    var lanes: [LifelineLane] = []
    if let bus = lifelines[.bus] {
      lanes.append(
        LifelineLane(
          kind: .bus, name: "bus",
          spans: bus.map { Span(start: $0.start, state: $0.state, object: .bus) }))
    }
    for kind in [Kind.channel, .gpadl] {
      let keys = lifelines.keys.filter { $0.kind == kind }.sorted()
      lanes += pack(keys.map { ($0, lifelines[$0] ?? []) }, kind: kind)
    }
    return lanes
  }

  /// One live stretch of one object: its spans from appearing to `end` (where it went).
  private struct Stretch {
    var key: LifelineKey
    var spans: [LifelineSpan]
    var end: Int?
  }

  private static func pack(_ objects: [(LifelineKey, [LifelineSpan])], kind: Kind)
    -> [LifelineLane]
  {
    var stretches: [Stretch] = []
    for (key, spans) in objects {
      var current: Stretch?
      for span in spans {
        if span.state == LifelineState.absent {
          if var done = current {
            done.end = span.start
            stretches.append(done)
            current = nil
          }
        } else if current == nil {
          current = Stretch(key: key, spans: [span], end: nil)
        } else {
          current?.spans.append(span)
        }
      }
      if let current { stretches.append(current) }
    }
    stretches.sort { ($0.spans.first?.start ?? 0, $0.key) < ($1.spans.first?.start ?? 0, $1.key) }
    var lanes: [(spans: [Span], keys: Set<LifelineKey>, free: Int?)] = []
    for stretch in stretches {
      let start = stretch.spans.first?.start ?? 0
      let spans = stretch.spans.map { Span(start: $0.start, state: $0.state, object: stretch.key) }
      let end =
        stretch.end.map { [Span(start: $0, state: LifelineState.absent, object: nil)] } ?? []
      if let index = lanes.firstIndex(where: { ($0.free ?? .max) <= start }) {
        if lanes[index].spans.last?.start == start { lanes[index].spans.removeLast() }
        lanes[index].spans += spans + end
        lanes[index].keys.insert(stretch.key)
        lanes[index].free = stretch.end
      } else {
        lanes.append((spans + end, [stretch.key], stretch.end))
      }
    }
    return lanes.enumerated().map { index, lane in
      let name =
        lane.keys.count == 1
        ? (lane.keys.first?.description ?? kind.rawValue)
        : "\(kind.rawValue)s #\(index + 1)"
      return LifelineLane(kind: kind, name: name, spans: lane.spans)
    }
  }
}

extension LifelineKey {
  /// The lane kind this lifeline goes in.
  var kind: LifelineLane.Kind {
    switch self {
    case .bus: .bus
    case .channel: .channel
    case .gpadl: .gpadl
    }
  }
}
