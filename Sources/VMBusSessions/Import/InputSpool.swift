import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A temporary copy of an input that cannot be read twice (standard input, a pipe, a FIFO,
/// `<(zcat trace.gz)`), so the importer can validate it whole before storing any of it.
struct InputSpool {
  /// The copy's path.
  let path: String

  /// Whether `path` names standard input or something other than a regular file.
  static func needsSpooling(_ path: String) -> Bool {
    if path == "-" { return true }
    var info = stat()
    // A path that does not exist is not spooled: opening it reports the missing file.
    guard stat(path, &info) == 0 else { return false }
    return (info.st_mode & S_IFMT) != S_IFREG
  }

  /// Copies `source` (`-` for standard input) to a new file in the temporary directory.
  init(copying source: String, displayName: String) throws(SessionsError) {
    let input: FileHandle
    if source == "-" {
      input = FileHandle.standardInput
    } else {
      guard let opened = FileHandle(forReadingAtPath: source) else {
        throw .missingInput("\(displayName): cannot open for reading")
      }
      input = opened
    }
    let directory = FileManager.default.temporaryDirectory
    path = directory.appendingPathComponent("vmbus-sim-import-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let output = FileHandle(forWritingAtPath: path)
    else {
      throw .io("\(path): cannot create a temporary copy of \(displayName)")
    }
    do {
      defer {
        try? output.close()
        if source != "-" { try? input.close() }
      }
      while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
        try output.write(contentsOf: chunk)
      }
    } catch {
      remove()
      throw .io("\(displayName): copying to \(path): \(error)")
    }
  }

  /// Deletes the copy.
  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}
