/// JSON string escaping.
package enum JSONText {
  /// Appends `text` as a quoted JSON string.
  package static func appendString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
      case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
      case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
      case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
      case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
      case 0..<0x20:
        output.append(contentsOf: #"\u00"#.utf8)
        output.append(contentsOf: [byte >> 4, byte & 0xF].map { $0 < 10 ? $0 + 48 : $0 + 87 })
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}
