import VMBusHost
import VMBusWire

/// The signature a regression file records: the typed form `fuzz` writes now, the rule of a
/// guest error (`guest_error guest.slot_cleared_without_eom`, the pinned case `fuzz` stores
/// for each rule a campaign's guests broke), or the plain string written before root causes
/// existed (`host_fault body_for_full_gpadl @ vmbus_gpadl_body in listen`, `guest_hang
/// GPADL_TORNDOWN in listen`).
package enum RecordedSignature: Hashable, Sendable, CustomStringConvertible {
  case typed(FailureSignature)
  /// A typed signature written under a root cause's former name (``RootCauseRename``): kept as
  /// written, compared as `current`.
  case renamed(recorded: FailureSignature, current: FailureSignature)
  /// A run that breaks no property and ends in a guest error for this rule.
  case guestError(RootCause)
  /// An old-form string, kept as written; only some of its parts can be compared.
  case legacy(String)

  /// The property word a guest error's record starts with.
  package static let guestErrorProperty = "guest_error"

  /// Reads a recorded string: the typed form when it parses as one, a guest error's rule,
  /// else the old form.
  package init(text: String) {
    let words = text.split(separator: " ")
    if let signature = FailureSignature(text: text) {
      self =
        RootCauseRename.current(of: signature).map { .renamed(recorded: signature, current: $0) }
        ?? .typed(signature)
    } else if words.count == 2, words[0] == Self.guestErrorProperty, words[1].contains(".") {
      self = .guestError(RootCause(String(words[1])))
    } else {
      self = .legacy(text)
    }
  }

  /// The text written to the file.
  package var description: String {
    switch self {
    case .typed(let signature): signature.description
    case .renamed(let recorded, _): recorded.description
    case .guestError(let rule): "\(Self.guestErrorProperty) \(rule)"
    case .legacy(let text): text
    }
  }

  /// How `actual` differs from the recorded signature, one line per difference; empty when
  /// they agree. An old-form record is compared on what it holds: the property, the trace
  /// point and the bus state, the root cause of a host fault (its old cause names the
  /// fault), and a hang's awaited reply when the actual signature has one.
  package func differences(from actual: FailureSignature?) -> [String] {
    switch self {
    case .typed(let recorded):
      guard let actual else {
        return ["signature: recorded \(recorded), re-run breaks no property"]
      }
      return recorded == actual ? [] : ["signature: recorded \(recorded), re-run gives \(actual)"]
    case .renamed(let recorded, let current):
      guard let actual else {
        return ["signature: recorded \(recorded), re-run breaks no property"]
      }
      return current == actual
        ? [] : ["signature: recorded \(recorded) (now \(current)), re-run gives \(actual)"]
    case .guestError:
      // The rule is the outcome's, which the caller compares; here only "no failure".
      return actual.map { ["signature: recorded \(self), re-run breaks \($0)"] } ?? []
    case .legacy(let text):
      guard let actual else { return ["signature: recorded \(text), re-run breaks no property"] }
      guard let old = LegacySignature(text) else {
        return ["signature: recorded \(text) is in no known form (re-run gives \(actual))"]
      }
      var mismatched: [String] = []
      if old.property != actual.property.rawValue { mismatched.append("property") }
      if let point = old.tracePoint, point != actual.tracePoint.description {
        mismatched.append("trace point")
      }
      if old.busState != actual.busState.description { mismatched.append("bus state") }
      if old.property == FuzzProperty.hostFault.rawValue,
        let cause = old.hostFaultRootCause, cause != actual.rootCause
      {
        mismatched.append("root cause")
      }
      if old.property == FuzzProperty.guestHang.rawValue, let awaiting = actual.awaiting,
        MessageType(name: old.cause) != awaiting
      {
        mismatched.append("awaited reply")
      }
      guard !mismatched.isEmpty else { return [] }
      return [
        "signature: recorded (old form) \(text), re-run gives \(actual): "
          + "\(mismatched.joined(separator: ", ")) differ"
      ]
    }
  }
}

/// An old-form signature split into its parts: `property cause [@ point] in bus`.
struct LegacySignature {
  var property: String
  var cause: String
  var tracePoint: String?
  var busState: String

  init?(_ text: String) {
    let words = text.split(separator: " ").map(String.init)
    guard words.count >= 4, words[words.count - 2] == "in" else { return nil }
    property = words[0]
    cause = words[1]
    busState = words[words.count - 1]
    switch words.count {
    case 4: tracePoint = nil
    case 6 where words[2] == "@": tracePoint = words[3]
    default: return nil
    }
  }

  /// The root cause today's mapping gives the old cause of a host fault, when it names one
  /// fault unambiguously.
  var hostFaultRootCause: RootCause? {
    let point = tracePoint.flatMap(TracePoint.init(rawValue:))
    let fault: HostFault
    switch cause {
    case "unknown_vcpu": fault = .unknownVCPU(0)
    case "body_for_full_gpadl": fault = .bodyForFullGpadl(GpadlID(0))
    case "callback_without_message": fault = .callbackWithoutMessage
    case "ring_offset_out_of_bounds": fault = .ringOffsetOutOfBounds(ChannelID(0))
    default:
      if let type = Self.argument(of: cause, in: "post_without_route"),
        let messageType = MessageType(name: type)
      {
        fault = .postWithoutRoute(messageType)
      } else if let state = Self.argument(of: cause, in: "no_object_for_bus_state"),
        let bus = BusState.named(state)
      {
        fault = .noObjectForBusState(bus)
      } else {
        return nil
      }
    }
    return fault.rootCause(at: point)
  }

  /// `X` from `name(X)`.
  private static func argument(of cause: String, in name: String) -> String? {
    guard cause.hasPrefix(name + "("), cause.hasSuffix(")") else { return nil }
    return String(cause.dropFirst(name.count + 1).dropLast())
  }
}
