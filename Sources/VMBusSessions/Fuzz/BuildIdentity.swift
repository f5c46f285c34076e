import Foundation

/// Which build of the tool is running: the GNU build ID the linker wrote into the program
/// (`NT_GNU_BUILD_ID`, a hash of the linked output), read from the program's ELF notes.
/// A seed means a scenario's mutation and schedule only within one build (the mutator and
/// the models change between builds), so a campaign records the build it ran, and `--resume`
/// continues it only with that build.
enum BuildIdentity {
  /// The build ID in lower-case hex, or nil where the program has none (another platform,
  /// or a linker run without `--build-id`).
  static let current: String? = programBuildID()

  /// Reads the program's own file (`/proc/self/exe`, Linux): the 64-bit little-endian ELF
  /// header, its program headers, and the PT_NOTE segments they point at; a few kilobytes.
  private static func programBuildID() -> String? {
    guard let file = FileHandle(forReadingAtPath: "/proc/self/exe") else { return nil }
    defer { try? file.close() }
    func read(_ count: Int, at offset: UInt64) -> [UInt8]? {
      guard (try? file.seek(toOffset: offset)) != nil,
        let data = try? file.read(upToCount: count), data.count == count
      else { return nil }
      return [UInt8](data)
    }
    // e_ident: magic, ELFCLASS64, ELFDATA2LSB.
    guard let header = read(64, at: 0), header[0..<6] == [0x7F, 0x45, 0x4C, 0x46, 2, 1] else {
      return nil
    }
    let phoff = header.word(UInt64.self, at: 32)
    let entrySize = Int(header.word(UInt16.self, at: 54))
    let count = Int(header.word(UInt16.self, at: 56))
    guard entrySize >= 56, count > 0,
      let headers = read(entrySize * count, at: phoff)
    else { return nil }
    for index in 0..<count {
      let entry = index * entrySize
      guard headers.word(UInt32.self, at: entry) == 4 else { continue }  // PT_NOTE
      let offset = headers.word(UInt64.self, at: entry + 8)
      let size = headers.word(UInt64.self, at: entry + 32)
      let alignment = headers.word(UInt64.self, at: entry + 48)
      guard size <= 1 << 16, let notes = read(Int(size), at: offset) else { continue }
      let id = notes.withUnsafeBytes { gnuBuildID(in: $0, alignment: Int(alignment)) }
      if let id {
        return id.map { String($0 >> 4, radix: 16) + String($0 & 0xF, radix: 16) }.joined()
      }
    }
    return nil
  }

  /// The descriptor of the `NT_GNU_BUILD_ID` note (type 3, name "GNU") among `notes`, each
  /// a header of three 32-bit words (name size, descriptor size, type), then the name and
  /// the descriptor, each padded to the segment's alignment (4, or 8 for some notes).
  static func gnuBuildID(in notes: UnsafeRawBufferPointer, alignment: Int) -> [UInt8]? {
    let align = alignment >= 8 ? 8 : 4
    func padded(_ size: Int) -> Int { (size + align - 1) / align * align }
    var offset = 0
    while offset + 12 <= notes.count {
      let nameSize = Int(notes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
      let descriptorSize = Int(notes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
      let type = notes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
      let name = offset + 12
      let descriptor = name + padded(nameSize)
      guard descriptor + descriptorSize <= notes.count else { return nil }
      if type == 3, nameSize == 4, Array(notes[name..<name + 4]) == Array("GNU\0".utf8) {
        return descriptorSize == 0 ? nil : Array(notes[descriptor..<descriptor + descriptorSize])
      }
      offset = descriptor + padded(descriptorSize)
    }
    return nil
  }
}

extension [UInt8] {
  /// The little-endian integer at `offset` (the caller checked the bounds).
  fileprivate func word<Word: FixedWidthInteger>(_: Word.Type, at offset: Int) -> Word {
    var value: Word = 0
    for index in (0..<MemoryLayout<Word>.size).reversed() {
      value = value << 8 | Word(self[offset + index])
    }
    return value
  }
}
