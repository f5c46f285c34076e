extension MessageType {
  /// Parses a type name in any case (optionally prefixed `VMBUS_MSG_` or `CHANNELMSG_`),
  /// `TYPE_<n>`, or a decimal number.
  public init?(name: String) {
    let upper = name.uppercased()
    if let number = Self.decimal(Substring(upper)) {
      self.init(number)
      return
    }
    if let index = Self.names.firstIndex(of: upper) {
      self.init(UInt32(index))
      return
    }
    for prefix in ["VMBUS_MSG_", "CHANNELMSG_", "TYPE_"] where upper.hasPrefix(prefix) {
      let rest = upper.dropFirst(prefix.count)
      if let number = Self.decimal(rest) {
        self.init(number)
        return
      }
      if prefix != "TYPE_", let index = Self.names.firstIndex(of: String(rest)) {
        self.init(UInt32(index))
        return
      }
    }
    return nil
  }

  /// Parses an unsigned decimal that fits a u32 (ASCII digits only).
  private static func decimal(_ text: Substring) -> UInt32? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return UInt32(text)
  }
}
