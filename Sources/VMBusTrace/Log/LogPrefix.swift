/// The timestamp prefix of a `log`-backend line, held exactly: ``text`` prints it back byte for
/// byte.
///
/// Only the canonical spellings QEMU prints are accepted by the parser (no leading zeros in the
/// thread id or seconds, six-digit fractions), so the fields determine the text.
package enum LogPrefix: Hashable, Sendable {
  /// `TID@SEC.USEC:`: the OS thread id (decimal), `gettimeofday` seconds and microseconds
  /// (six digits, zero-padded).
  case threadTimestamp(threadID: UInt32, seconds: Int64, microseconds: UInt32)
  /// `YYYY-MM-DDTHH:MM:SS.ffffffZ ` in UTC, seconds since the Unix epoch; `microseconds` is nil
  /// for the form without a fraction (glib omits it when the microseconds are 0).
  case iso8601(seconds: Int64, microseconds: UInt32?)

  /// Synthesizes the prefix QEMU would print at `microseconds` since the Unix epoch (a virtual
  /// time), or nil for ``LogDialect/plain``.
  package init?(dialect: LogDialect, microseconds: UInt64, threadID: UInt32) {
    let seconds = Int64(clamping: microseconds / 1_000_000)
    let fraction = UInt32(microseconds % 1_000_000)
    switch dialect {
    case .plain: return nil
    case .threadTimestamp:
      self = .threadTimestamp(threadID: threadID, seconds: seconds, microseconds: fraction)
    case .iso8601: self = .iso8601(seconds: seconds, microseconds: fraction == 0 ? nil : fraction)
    }
  }

  /// The dialect this prefix belongs to.
  package var dialect: LogDialect {
    switch self {
    case .threadTimestamp: .threadTimestamp
    case .iso8601: .iso8601
    }
  }

  /// The thread id, present only in the `TID@SEC.USEC:` form.
  package var threadID: UInt32? {
    switch self {
    case .threadTimestamp(let threadID, _, _): threadID
    case .iso8601: nil
    }
  }

  /// Whole seconds since the Unix epoch.
  package var seconds: Int64 {
    switch self {
    case .threadTimestamp(_, let seconds, _), .iso8601(let seconds, _): seconds
    }
  }

  /// Microseconds within the second (0 when the ISO form has no fraction).
  package var microseconds: UInt32 {
    switch self {
    case .threadTimestamp(_, _, let microseconds): microseconds
    case .iso8601(_, let microseconds): microseconds ?? 0
    }
  }

  /// The exact prefix text, separator included: `4152@1591800412.004512:` or
  /// `2025-07-21T18:43:28.089797Z ` (with its trailing space).
  package var text: String {
    var bytes: [UInt8] = []
    append(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends ``text`` as UTF-8.
  package func append(to output: inout [UInt8]) {
    switch self {
    case .threadTimestamp(let threadID, let seconds, let microseconds):
      ASCII.appendDecimal(UInt64(threadID), to: &output)
      output.append(UInt8(ascii: "@"))
      // `%zu` of a `time_t`: a negative value would print as its unsigned bit pattern.
      ASCII.appendDecimal(UInt64(bitPattern: seconds), to: &output)
      output.append(UInt8(ascii: "."))
      ASCII.appendDecimal(UInt64(microseconds), minimumWidth: 6, to: &output)
      output.append(UInt8(ascii: ":"))
    case .iso8601(let seconds, let microseconds):
      let time = CivilTime(secondsSinceEpoch: seconds)
      ASCII.appendDecimal(UInt64(clamping: time.year), minimumWidth: 4, to: &output)
      output.append(UInt8(ascii: "-"))
      ASCII.appendDecimal(UInt64(time.month), minimumWidth: 2, to: &output)
      output.append(UInt8(ascii: "-"))
      ASCII.appendDecimal(UInt64(time.day), minimumWidth: 2, to: &output)
      output.append(UInt8(ascii: "T"))
      ASCII.appendDecimal(UInt64(time.hour), minimumWidth: 2, to: &output)
      output.append(UInt8(ascii: ":"))
      ASCII.appendDecimal(UInt64(time.minute), minimumWidth: 2, to: &output)
      output.append(UInt8(ascii: ":"))
      ASCII.appendDecimal(UInt64(time.second), minimumWidth: 2, to: &output)
      if let microseconds {
        output.append(UInt8(ascii: "."))
        ASCII.appendDecimal(UInt64(microseconds), minimumWidth: 6, to: &output)
      }
      output.append(UInt8(ascii: "Z"))
      output.append(ASCII.space)
    }
  }
}
