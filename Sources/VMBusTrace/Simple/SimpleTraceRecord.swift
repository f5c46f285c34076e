import VMBusHost

/// One record of a `simple`-backend file that concerns VMBus: an event or a gap.
package struct SimpleTraceRecord: Hashable, Sendable {
  /// What the record says.
  package enum Payload: Hashable, Sendable {
    /// A `vmbus_*` trace event.
    case event(TraceEvent)
    /// The dropped-events record: this many events were lost to a full trace buffer.
    case dropped(count: UInt64)
  }

  /// What the record says.
  package var payload: Payload
  /// `get_clock()` at the event: host monotonic nanoseconds.
  package var timestampNS: UInt64
  /// QEMU's process id.
  package var pid: UInt32
  /// Byte offset of the record's type word in the file.
  package var offset: UInt64

  /// Creates a record.
  package init(payload: Payload, timestampNS: UInt64, pid: UInt32, offset: UInt64) {
    self.payload = payload
    self.timestampNS = timestampNS
    self.pid = pid
    self.offset = offset
  }

  /// The record as a session event: a trace event, or `sim_traced_events_dropped`.
  package var hostEvent: HostEvent {
    switch payload {
    case .event(let event): .trace(event)
    case .dropped(let count): .simulator(.tracedEventsDropped(count: count))
    }
  }
}

/// How many records of one non-VMBus event a reader skipped.
package struct SkippedTraceEvents: Hashable, Sendable {
  /// The event's name from its mapping record.
  package var name: String
  /// Records skipped.
  package var count: Int

  /// Creates a count.
  package init(name: String, count: Int) {
    self.name = name
    self.count = count
  }
}
