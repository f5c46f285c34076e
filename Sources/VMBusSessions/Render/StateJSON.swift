import VMBusHost
import VMBusWire

extension HostState {
  /// The state as `replay --json` prints it: `bus`, `version` ("4.0" or null),
  /// `message_in_flight`, `faulted`, `channels` and `gpadls` sorted by id, and more fields.
  public func writeJSON(into json: inout JSONBuilder) {
    json.object { json in
      json.field("bus", bus.description)
      json.field("version", version.rawValue == 0 ? nil : version.description)
      json.field("message_in_flight", messageInFlight)
      json.field("faulted", fault != nil)
      json.field("fault", fault?.description)
      json.field("target_vp", targetVP == HostState.noVP ? nil : targetVP)
      json.field("rx_queue", rxQueue.count)
      json.field("run_scheduled", runScheduled)
      json.key("channels")
      json.array { json in
        for channel in channels.sorted(by: { $0.id < $1.id }) {
          json.object { json in
            json.field("id", channel.id.rawValue)
            json.field("offer", channel.offer.description)
            json.field("state", channel.state.description)
            json.field("host_open", channel.state.isOpen)
            json.field("subchannel", channel.subchannelIndex)
            json.field("gpadl_id", channel.state.request?.gpadlID.rawValue)
          }
        }
      }
      json.key("gpadls")
      json.array { json in
        for gpadl in gpadls.sorted(by: { $0.id < $1.id }) {
          json.object { json in
            json.field("id", gpadl.id.rawValue)
            json.field("state", gpadl.state.description)
            json.field("num_gfns", gpadl.numGfns)
            json.field("seen_gfns", gpadl.seenGfns)
            json.field("refcount", gpadl.refcount)
          }
        }
      }
    }
  }
}
