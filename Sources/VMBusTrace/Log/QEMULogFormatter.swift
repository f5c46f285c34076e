import VMBusHost

/// Prints trace events as QEMU's `log` backend does, byte for byte.
///
/// Re-exporting an imported line keeps its original prefix (``line(for:)``); a simulated event
/// gets a prefix synthesized from a virtual time and a thread id (``line(for:atMicroseconds:)``).
package struct QEMULogFormatter: Hashable, Sendable {
  /// The dialect of synthesized prefixes.
  package var dialect: LogDialect
  /// The main-loop thread id written into `TID@SEC.USEC:` prefixes.
  package var threadID: UInt32
  /// The vCPU thread id for `vmbus_recv_message` (QEMU emits it from a vCPU thread), or nil
  /// to use ``threadID`` for every event.
  package var vcpuThreadID: UInt32?
  /// Seconds since the Unix epoch that virtual time 0 stands for.
  package var epochSeconds: UInt64

  /// Creates a formatter that synthesizes `dialect` prefixes.
  package init(
    dialect: LogDialect = .plain, threadID: UInt32 = 1, vcpuThreadID: UInt32? = nil,
    epochSeconds: UInt64 = 0
  ) {
    self.dialect = dialect
    self.threadID = threadID
    self.vcpuThreadID = vcpuThreadID
    self.epochSeconds = epochSeconds
  }

  /// An imported line printed again, with its original prefix.
  package func line(for parsed: ParsedTraceLine) -> String {
    Self.line(parsed.event, prefix: parsed.prefix)
  }

  /// A simulated event at `microseconds` of virtual time, with a synthesized prefix.
  package func line(for event: TraceEvent, atMicroseconds microseconds: UInt64) -> String {
    Self.line(event, prefix: prefix(for: event, atMicroseconds: microseconds))
  }

  /// The prefix this formatter synthesizes for `event` at `microseconds` of virtual time.
  package func prefix(for event: TraceEvent, atMicroseconds microseconds: UInt64) -> LogPrefix? {
    let thread = event.point == .recvMessage ? vcpuThreadID ?? threadID : threadID
    let (epoch, overflow) = epochSeconds.multipliedReportingOverflow(by: 1_000_000)
    let time = overflow ? microseconds : microseconds &+ epoch
    return LogPrefix(dialect: dialect, microseconds: time, threadID: thread)
  }

  /// The exact line QEMU prints for `event` after `prefix`, without the newline.
  package static func line(_ event: TraceEvent, prefix: LogPrefix?) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(96)
    appendLine(event, prefix: prefix, to: &bytes)
    bytes.removeLast()
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends the line for `event` after `prefix`, newline included.
  package static func appendLine(_ event: TraceEvent, prefix: LogPrefix?, to output: inout [UInt8])
  {
    prefix?.append(to: &output)
    appendBody(event, to: &output)
    output.append(ASCII.newline)
  }

  /// Appends `name args` (QEMU's trace text without prefix or newline).
  package static func appendBody(_ event: TraceEvent, to output: inout [UInt8]) {
    let pattern = EventPattern.all[event.point.ordinal]
    output.append(contentsOf: pattern.name)
    guard !pattern.code.isEmpty else {
      output.append(ASCII.space)
      return
    }
    let words = event.words
    var argument = 0
    for byte in pattern.code {
      guard byte <= EventPattern.pointer, argument < words.count else {
        output.append(byte)
        continue
      }
      let word = words[argument]
      switch byte {
      case EventPattern.decimal:
        ASCII.appendDecimal(Self.printedAsInt(word, kind: pattern.kinds[argument]), to: &output)
      case EventPattern.hex:
        ASCII.appendHex(word, to: &output)
      default:
        if word == 0 {
          output.append(contentsOf: Self.nilPointer)
        } else {
          output.append(ASCII.zero)
          output.append(UInt8(ascii: "x"))
          ASCII.appendHex(word, to: &output)
        }
      }
      argument += 1
    }
  }

  private static let nilPointer: [UInt8] = Array("(nil)".utf8)

  /// What `%d` prints for a word of this kind: the value converted to a C `int`.
  private static func printedAsInt(_ word: UInt64, kind: TraceArgumentKind) -> Int64 {
    switch kind {
    case .uint16: Int64(word & 0xFFFF)
    default: Int64(Int32(truncatingIfNeeded: word))
    }
  }
}
