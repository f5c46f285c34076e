#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// An owned POSIX file descriptor, closed when the value goes away.
struct FileDescriptor: ~Copyable {
  /// The path it was opened with, for messages.
  let path: String
  private var raw: Int32

  /// Opens `path` for reading.
  init(readingFrom path: String) throws(TraceIOError) {
    self.path = path
    self.raw = try Self.open(path, O_RDONLY | O_CLOEXEC, 0)
  }

  /// Creates or truncates `path` for writing.
  init(writingTo path: String) throws(TraceIOError) {
    self.path = path
    self.raw = try Self.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
  }

  private static func open(_ path: String, _ flags: Int32, _ mode: mode_t) throws(TraceIOError)
    -> Int32
  {
    while true {
      #if canImport(Darwin)
        let fd = path.withCString { Darwin.open($0, flags, mode) }
      #else
        let fd = path.withCString { Glibc.open($0, flags, mode) }
      #endif
      if fd >= 0 { return fd }
      let code = errno
      if code != EINTR { throw TraceIOError(path: path, operation: .open, errno: code) }
    }
  }

  /// Reads up to `buffer.count` bytes into the start of `buffer`; 0 means end of file.
  func read(into buffer: inout [UInt8]) throws(TraceIOError) -> Int {
    let fd = raw
    while true {
      let count = buffer.withUnsafeMutableBytes { bytes in
        systemRead(fd, bytes.baseAddress, bytes.count)
      }
      if count >= 0 { return count }
      let code = errno
      if code != EINTR { throw TraceIOError(path: path, operation: .read, errno: code) }
    }
  }

  /// Writes all of `bytes`.
  func write(_ bytes: [UInt8]) throws(TraceIOError) {
    let fd = raw
    var written = 0
    while written < bytes.count {
      let count = bytes.withUnsafeBytes { all in
        let rest = UnsafeRawBufferPointer(rebasing: all[written...])
        return systemWrite(fd, rest.baseAddress, rest.count)
      }
      if count >= 0 {
        written += count
        continue
      }
      let code = errno
      if code != EINTR { throw TraceIOError(path: path, operation: .write, errno: code) }
    }
  }

  /// Closes the descriptor now, reporting a failure (deferred write errors show up here).
  mutating func close() throws(TraceIOError) {
    guard raw >= 0 else { return }
    let fd = raw
    raw = -1
    if systemClose(fd) != 0 {
      throw TraceIOError(path: path, operation: .close, errno: errno)
    }
  }

  deinit {
    if raw >= 0 { _ = systemClose(raw) }
  }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(fd, buffer, count)
}

private func systemClose(_ fd: Int32) -> Int32 {
  close(fd)
}
