import VMBusWire

/// A guest message waiting in the rx queue.
public struct QueuedMessage: Hashable, Sendable, Codable {
  /// The VMBus message type (first u32 of the payload).
  public var type: MessageType
  /// The guest's declared payload size.
  public var size: UInt32
  /// The payload as QEMU's handlers see it; nil when the session is a bare QEMU trace, which
  /// records only type and size.
  public var payload: [UInt8]?

  public init(type: MessageType, size: UInt32, payload: [UInt8]? = nil) {
    self.type = type
    self.size = size
    self.payload = payload
  }

  /// Hashes the payload as one block of bytes rather than byte by byte (state hashing is the
  /// exhaustive explorer's inner loop).
  public func hash(into hasher: inout Hasher) {
    hasher.combine(type)
    hasher.combine(size)
    hasher.combine(payload != nil)
    payload?.withUnsafeBytes { hasher.combine(bytes: $0) }
  }
}

/// QEMU's 16-slot incoming message queue (`rx_queue`, `rx_queue_head`, `rx_queue_size`).
public struct RxQueue: Hashable, Sendable, Codable {
  /// Slots in the queue (`HV_MSG_QUEUE_LEN`).
  public static let capacity = 16

  /// Index of the head slot; kept because an UNLOAD flush resets the size but not the head.
  public private(set) var head: UInt8 = 0
  /// Queued messages, oldest first.
  public private(set) var messages: [QueuedMessage] = []

  public init() {}

  /// A queue as the state encoding stores it.
  init(head: UInt8, messages: [QueuedMessage]) {
    self.head = head
    self.messages = messages
  }

  public var count: Int { messages.count }
  public var isEmpty: Bool { messages.isEmpty }
  public var isFull: Bool { messages.count >= Self.capacity }
  public var first: QueuedMessage? { messages.first }

  /// Appends at slot `(head + size) % 16`; the caller checks ``isFull`` first.
  mutating func enqueue(_ message: QueuedMessage) {
    messages.append(message)
  }

  /// Attaches the payload of the message the last hypercall queued.
  mutating func attachPayloadToLast(_ payload: [UInt8]) {
    guard !messages.isEmpty else { return }
    messages[messages.count - 1].payload = payload
  }

  /// Takes the head message, advancing the head slot.
  mutating func dequeue() -> QueuedMessage? {
    guard !messages.isEmpty else { return nil }
    head = (head + 1) % UInt8(Self.capacity)
    return messages.removeFirst()
  }

  /// Sets the size to zero without moving the head, as `send_unload` does.
  mutating func flush() {
    messages.removeAll(keepingCapacity: true)
  }
}
