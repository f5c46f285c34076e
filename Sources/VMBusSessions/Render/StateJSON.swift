import VMBusHost
import VMBusWire

extension HostState {
  /// The state as `replay --json` prints it: `bus`, `version` ("4.0" or null),
  /// `message_in_flight`, `faulted`, `channels` and `gpadls` sorted by id, and more fields.
  package func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      for (key, value) in scalarFieldsJSON() {
        json.key(key)
        json.raw(value)
      }
      json.key("channels")
      json.array { json in
        for channel in channels.sorted(by: { $0.id < $1.id }) { channel.writeJSON(into: &json) }
      }
      json.key("gpadls")
      json.array { json in
        for gpadl in gpadls.sorted(by: { $0.id < $1.id }) { gpadl.writeJSON(into: &json) }
      }
    }
  }

  /// The top-level fields before `channels`, in ``writeJSON(into:)``'s order, each with its
  /// encoded value: what each ``StateField`` shows, in the encoding's field order, so that a
  /// new field has to say here what `replay` and the report show of it.
  package func scalarFieldsJSON() -> [(key: String, value: [UInt8])] {
    StateField.allCases.flatMap(scalarJSON(of:))
  }

  private func scalarJSON(of field: StateField) -> [(key: String, value: [UInt8])] {
    func encoded(_ write: (inout JSONBuilder) -> Void) -> [UInt8] {
      var json = JSONBuilder()
      write(&json)
      return json.bytes
    }
    func number(_ value: (some BinaryInteger)?) -> [UInt8] {
      encoded { json in if let value { json.number(value) } else { json.null() } }
    }
    func string(_ value: String?) -> [UInt8] {
      encoded { json in if let value { json.string(value) } else { json.null() } }
    }
    switch field {
    case .bus: return [("bus", string(bus.description))]
    case .messageInFlight: return [("message_in_flight", encoded { $0.bool(messageInFlight) })]
    case .pendingRuns:
      return [
        ("run_scheduled", encoded { $0.bool(runScheduled) }), ("pending_runs", number(pendingRuns)),
      ]
    case .busNotifierSet: return [("bus_notifier_set", encoded { $0.bool(busNotifierSet) })]
    case .version: return [("version", string(version.rawValue == 0 ? nil : version.description))]
    case .targetVP: return [("target_vp", number(targetVP == HostState.noVP ? nil : targetVP))]
    case .rxQueue: return [("rx_queue", number(rxQueue.count))]
    case .fault:
      return [
        ("faulted", encoded { $0.bool(fault != nil) }), ("fault", string(fault?.description)),
      ]
    // Written after the scalars, as arrays sorted by id.
    case .channels, .gpadls: return []
    // Not shown: the session's configuration, and the reducer's bookkeeping.
    case .profile, .machine, .interruptPage, .devices, .faultJustTraced, .routeKnown, .handling,
      .announcedPost, .awaiting, .failureReply:
      return []
    }
  }
}

extension Channel {
  /// One element of the state's `channels` array.
  package func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      json.field("id", id.rawValue)
      json.field("offer", offer.description)
      json.field("state", state.description)
      json.field("host_open", state.isOpen)
      json.field("subchannel", subchannelIndex)
      json.field("gpadl_id", state.request?.gpadlID.rawValue)
    }
  }
}

extension Gpadl {
  /// One element of the state's `gpadls` array.
  package func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      json.field("id", id.rawValue)
      json.field("state", state.description)
      json.field("num_gfns", numGfns)
      json.field("seen_gfns", seenGfns)
      json.field("refcount", refcount)
    }
  }
}
