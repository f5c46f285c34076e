import VMBusWire
import Yams

/// `send` and `wait`: guest messages by type and fields, and waits for host messages.
extension ScenarioReader {
  /// The hypercall's own keys; every other key of `send` is a message field.
  static let hypercallKeys = [
    "type", "payload", "truncate", "connection_id", "synic_type", "payload_size",
  ]
  static let waitKeys = ["for", "match", "expect", "timeout", "expect_timeout"]

  /// `send: {type: GPADL_HEADER, gpadl_id: 0xE1E10, ...}`, or `send: TYPE` alone.
  mutating func send(_ node: Node?, at location: SourceLocation) -> MessageSpec {
    if let node, case .scalar = node, !Self.isNull(node) {
      return MessageSpec(type: messageType(node, "send.type") ?? .invalid)
    }
    let fields = fields(node, "send", at: location, keys: nil, required: ["type"])
    let type = fields["type"].flatMap { messageType($0, "send.type") }
    var overrides: [FieldOverride] = []
    var fieldKey: Node?
    for (key, keyNode, value) in fields.entries where !Self.hypercallKeys.contains(key) {
      guard let field = MessageField(rawValue: key) else {
        let keys = Self.hypercallKeys.joined(separator: ", ")
        error(
          "send: unknown key \(Self.quote(key)); keys are \(keys) and message fields"
            + (type.map { "; \(Self.fieldList($0))" } ?? ""), at: keyNode)
        continue
      }
      fieldKey = fieldKey ?? keyNode
      if let type, !field.types.contains(type) {
        error("send: \(key) is not a field of \(type); \(Self.fieldList(type))", at: keyNode)
        continue
      }
      let maximum = Self.maximum(of: field)
      let versions = field == .versionRequested
      if let operand = operand(value, "send.\(key)", maximum: maximum, versions: versions) {
        overrides.append(FieldOverride(field, operand))
      }
    }
    let payload = fields["payload"].flatMap { hexBytes($0, "send.payload") }
    if let payloadKey = fields.keyNode("payload"), let fieldKey {
      error(
        "send: payload replaces the whole message after its header; drop it or "
          + "\(Self.quote(fieldKey.string ?? ""))", at: payloadKey)
    }
    let truncate = fields["truncate"].flatMap { integer($0, "send.truncate", in: 0...Int.max) }
    let payloadSize = fields["payload_size"].flatMap {
      integer($0, "send.payload_size", in: 0...UInt32.max)
    }
    return MessageSpec(
      type: type ?? .invalid, fields: overrides, rawPayload: payload, truncateTo: truncate,
      connectionID: integer(fields, "connection_id", default: UInt32(1)),
      synicMessageType: integer(fields, "synic_type", default: UInt32(1)),
      payloadSize: payloadSize)
  }

  /// `wait: {for: TYPE, match: {...}, expect: {...}, timeout: 10ms, expect_timeout: false}`,
  /// or `wait: TYPE` alone.
  mutating func wait(_ node: Node?, at location: SourceLocation) -> WaitSpec {
    if let node, case .scalar = node, !Self.isNull(node) {
      return WaitSpec(type: messageType(node, "wait.for") ?? .invalid)
    }
    let fields = fields(node, "wait", at: location, keys: Self.waitKeys, required: ["for"])
    let type = fields["for"].flatMap { messageType($0, "wait.for") }
    let match = fields["match"].map { replyValues($0, "wait.match", type) } ?? []
    let expect = fields["expect"].map { replyValues($0, "wait.expect", type) } ?? []
    let timeout = fields["timeout"].flatMap { duration($0, "wait.timeout") }
    let expectTimeout = bool(fields, "expect_timeout", default: false)
    if expectTimeout, let flag = fields.keyNode("expect_timeout") {
      if fields["timeout"] == nil {
        error("wait: expect_timeout needs a timeout", at: flag)
      }
      if let expectKey = fields.keyNode("expect") {
        error("wait: expect has no message to check when expect_timeout is true", at: expectKey)
      }
    }
    return WaitSpec(
      type: type ?? .invalid, match: match, expect: expect, timeout: timeout,
      expectTimeout: expectTimeout)
  }

  /// `{status: 0, child_relid: relid(netvsc)}`: host message fields and their values.
  private mutating func replyValues(_ node: Node, _ path: String, _ type: MessageType?)
    -> [ReplyValue]
  {
    let fields = fields(node, path, at: Self.location(of: node), keys: nil)
    var values: [ReplyValue] = []
    for (key, keyNode, value) in fields.entries {
      guard let field = ReplyField(rawValue: key) else {
        let keys = ReplyField.allCases.map(\.rawValue).joined(separator: ", ")
        let known = type.map(Self.replyFieldList) ?? "keys are \(keys)"
        error("\(path): unknown key \(Self.quote(key)); \(known)", at: keyNode)
        continue
      }
      if let type, !Self.types(of: field).contains(type) {
        error(
          "\(path): \(key) is not a field of \(type); \(Self.replyFieldList(type))", at: keyNode)
        continue
      }
      if let operand = operand(value, "\(path).\(key)", maximum: Self.maximum(of: field)) {
        values.append(ReplyValue(field, operand))
      }
    }
    return values
  }

  /// `the fields of OPENCHANNEL (5) are ...`, or that the type has none.
  private static func fieldList(_ type: MessageType) -> String {
    let names = MessageField.allCases.filter { $0.types.contains(type) }.map(\.rawValue)
    return names.isEmpty
      ? "\(type) has no fields to set (use payload)"
      : "the fields of \(type) are \(names.joined(separator: ", "))"
  }

  private static func replyFieldList(_ type: MessageType) -> String {
    let names = ReplyField.allCases.filter { types(of: $0).contains(type) }.map(\.rawValue)
    return names.isEmpty
      ? "\(type) has no fields to match"
      : "the fields of \(type) are \(names.joined(separator: ", "))"
  }

  /// The widest value a message field holds (`pfn_count` is capped: each PFN is generated).
  static func maximum(of field: MessageField) -> UInt64 {
    switch field {
    case .rangeBufferLength, .rangeCount, .pfnCount: UInt64(UInt16.max)
    case .interruptPage, .monitorPage1, .monitorPage2: UInt64.max
    default: UInt64(UInt32.max)
    }
  }

  /// The widest value a reply field holds.
  static func maximum(of field: ReplyField) -> UInt64 {
    switch field {
    case .versionSupported: UInt64(UInt8.max)
    case .subChannelIndex: UInt64(UInt16.max)
    default: UInt64(UInt32.max)
    }
  }

  /// The host messages that carry a reply field (as the guest model reads them).
  static func types(of field: ReplyField) -> [MessageType] {
    switch field {
    case .versionSupported: [.versionResponse]
    case .childRelid: [.offerChannel, .openChannelResult, .gpadlCreated]
    case .openID: [.openChannelResult]
    case .status: [.openChannelResult, .gpadlCreated]
    case .gpadlID: [.gpadlCreated, .gpadlTorndown]
    case .subChannelIndex, .connectionID: [.offerChannel]
    }
  }
}
