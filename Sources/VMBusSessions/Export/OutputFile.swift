import Foundation

/// Opens a file a command writes its output to (`-o`).
///
/// The file is opened in place, created or truncated, never replaced:
/// `FileManager.createFile` writes a temporary file and renames it over the path, which turns
/// `/dev/stdout`, a FIFO, or (for root) a device node like `/dev/full` into a regular file.
package enum OutputFile {
  package static func open(_ path: String) throws(SessionsError) -> FileHandle {
    let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .io("\(path): cannot create: \(String(cString: strerror(errno)))")
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
  }

  /// Writes `bytes` to `path` whole, reporting a short write or a failed close.
  package static func write(_ bytes: [UInt8], to path: String) throws(SessionsError) {
    let handle = try open(path)
    do {
      try handle.write(contentsOf: bytes)
      try handle.close()
    } catch {
      throw .io("\(path): cannot write: \(error.localizedDescription)")
    }
  }
}
