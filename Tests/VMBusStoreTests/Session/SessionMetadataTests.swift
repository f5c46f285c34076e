import Foundation
import Testing

@testable import VMBusStore

@Suite struct SessionMetadataTests {
  /// `JSONEncoder`'s text, which the hand-written path must reproduce byte for byte.
  private func encoderText(_ metadata: SessionMetadata) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(metadata), as: UTF8.self)
  }

  static let plain: [SessionMetadata] = [
    [:],
    ["outcome": "passed"],
    [
      "outcome": "violation", "at_seq": .null, "steps": 131, "choices": "0,1,0",
      "virtual_time_ns": .integer(Int64.min), "big": .integer(Int64.max), "ok": true,
      "no": false,
    ],
    ["B": "upper first", "a10": "", "a9": "x", "_": "y", "a_b": "z", "aB": "w"],
    ["message": .string(#"say "hi" \ C:\path/to é ✓ U+2028: "# + "\u{2028}")],
  ]

  @Test(arguments: plain)
  func plainMetadataIsWrittenAsJSONEncoderWritesIt(_ metadata: SessionMetadata) throws {
    let text = try #require(MetadataCoding.plainText(metadata))
    let expected = try encoderText(metadata)
    #expect(text == expected)
    #expect(try MetadataCoding.decode(text) == metadata)
  }

  static let notPlain: [SessionMetadata] = [
    ["ratio": 0.5],
    ["line": "first\nsecond"],
    ["tab": "\t"],
    ["clé": "non-ASCII key"],
  ]

  @Test(arguments: notPlain)
  func otherMetadataIsLeftToJSONEncoder(_ metadata: SessionMetadata) throws {
    #expect(MetadataCoding.plainText(metadata) == nil)
    let expected = try encoderText(metadata)
    #expect(try MetadataCoding.encode(metadata) == expected)
  }
}
