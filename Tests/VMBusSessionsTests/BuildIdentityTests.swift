import Testing

@testable import VMBusSessions

/// `BuildIdentity`: the GNU build ID a campaign records, read from the program's ELF notes.
@Suite struct BuildIdentityTests {
  /// One ELF note: header words, then the name and the descriptor, each padded.
  static func note(type: UInt32, name: String, descriptor: [UInt8], alignment: Int) -> [UInt8] {
    func words(_ value: UInt32) -> [UInt8] {
      (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
    func padded(_ bytes: [UInt8]) -> [UInt8] {
      bytes + [UInt8](repeating: 0, count: (alignment - bytes.count % alignment) % alignment)
    }
    let nameBytes = Array(name.utf8) + [0]
    return words(UInt32(nameBytes.count)) + words(UInt32(descriptor.count)) + words(type)
      + padded(nameBytes) + padded(descriptor)
  }

  @Test("the build ID note is found after another note, at either alignment")
  func findsTheBuildIDNote() {
    let id: [UInt8] = Array(0..<20)
    for alignment in [4, 8] {
      // `.note.gnu.property` (type 5) often comes first in the same segment.
      let notes =
        Self.note(type: 5, name: "GNU", descriptor: [1, 2, 3, 4, 5, 6, 7, 8], alignment: alignment)
        + Self.note(type: 3, name: "GNU", descriptor: id, alignment: alignment)
      let found = notes.withUnsafeBytes { BuildIdentity.gnuBuildID(in: $0, alignment: alignment) }
      #expect(found == id, "alignment \(alignment)")
    }
  }

  @Test("another vendor's type 3, a truncated note and no note give no build ID")
  func ignoresWhatIsNotABuildID() {
    let other = Self.note(type: 3, name: "XEN", descriptor: [1, 2, 3, 4], alignment: 4)
    let real = Self.note(type: 3, name: "GNU", descriptor: Array(0..<20), alignment: 4)
    for notes in [other, Array(real.prefix(real.count - 1)), []] {
      #expect(notes.withUnsafeBytes { BuildIdentity.gnuBuildID(in: $0, alignment: 4) } == nil)
    }
  }

  @Test("this program has one: 20 bytes in hex, the same every time")
  func theRunningProgramHasABuildID() throws {
    let id = try #require(BuildIdentity.current)
    #expect(id.count == 40 && id.allSatisfy(\.isHexDigit))
    #expect(id == id.lowercased())
  }
}
