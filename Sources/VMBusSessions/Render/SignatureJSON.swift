import VMBusSim

extension JSONBuilder {
  /// A failure signature as an object: `property`, `root_cause`, `trace_point`, `bus_state`,
  /// `awaiting` (null unless an unattributed hang) and `text` (the form regression files
  /// record); null for none.
  package mutating func signature(_ signature: FailureSignature?) {
    guard let signature else { return null() }
    object { out in
      out.field("property", signature.property.rawValue)
      out.field("root_cause", signature.rootCause.rawValue)
      out.field("trace_point", signature.tracePoint.description)
      out.field("bus_state", signature.busState.description)
      out.field("awaiting", signature.awaiting?.name)
      out.field("text", signature.description)
    }
  }
}
