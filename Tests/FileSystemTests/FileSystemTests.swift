import FileSystem
import Foundation
import RegistryCore
import RegistryTestSupport
import Testing

/// The syscall seam: exact reads, the errno funnel, locks and what the system allows.
@Suite("FileSystem")
struct FileSystemTests {
  static func temporaryDirectory(_ label: String) throws -> String { try makeTemporaryDirectory(label).path }

  static func file(_ label: String, _ bytes: [UInt8]) throws -> String {
    let path = try temporaryDirectory(label) + "/file"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test("an exact read of a file shorter than asked fails as a short read naming the path")
  func shortRead() throws {
    let path = try Self.file("short", [1, 2, 3, 4, 5])
    #expect(try FileSystem.readExactly(path, count: 3, at: 2) == [3, 4, 5])
    let error = try #require(throws: FileSystemError.self) {
      try FileSystem.readExactly(path, count: 4, at: 2)
    }
    #expect(error.failure == .endedEarly(end: 5, missing: 1))
    #expect(error.endedEarly && error.code == nil)
    #expect(error.category == .corrupted)
    #expect(error.path == path && error.message.hasPrefix(path + ": "), "\(error)")
    // Reading up to the end is not an error.
    #expect(try FileSystem.read(path, upTo: 10, at: 3) == [4, 5])
  }

  @Test("an exact read into a buffer fills it or reports the short read")
  func shortReadIntoBuffer() throws {
    let path = try Self.file("buffer", Array(0..<100))
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 60, alignment: 8)
    defer { buffer.deallocate() }
    try FileSystem.readExactly(path, into: buffer, at: 40)
    #expect(Array(buffer) == Array(40..<100))
    #expect(throws: FileSystemError("read failed", path: path, .endedEarly(end: 100, missing: 1))) {
      try FileSystem.readExactly(path, into: buffer, at: 41)
    }
  }

  @Test("a missing file is notFound, with the path and the system's reason in the message")
  func missingFile() throws {
    let path = try Self.temporaryDirectory("missing") + "/absent"
    let error = try #require(throws: FileSystemError.self) { try FileSystem.readFile(path) }
    #expect(error.code == ENOENT)
    #expect(error.category == .notFound)
    #expect(error.message == "\(path): cannot open: No such file or directory")
    #expect(error.file == path)
  }

  @Test("reads of a named FIFO or directory are refused at once, never blocked on or attempted")
  func notRegularFile() throws {
    let directory = try Self.temporaryDirectory("fifo")
    let fifo = directory + "/fifo"
    #expect(mkfifo(fifo, 0o644) == 0)
    for path in [fifo, directory] {
      let reads: [() throws -> Void] = [
        { _ = try FileSystem.readFile(path) },
        { _ = try FileSystem.read(path, upTo: 1, at: 0) },
        { _ = try FileSystem.readExactly(path, count: 1, at: 0) },
        { _ = try FileSystem.openForReading(path) },
      ]
      for read in reads {
        let error = try #require(throws: FileSystemError.self) { try read() }
        #expect(error.failure == .notRegularFile && error.notRegularFile, "\(error)")
        #expect(error.category == .invalidArgument)
        #expect(error.message == "\(path): cannot read: not a regular file (a FIFO, device, socket or directory)")
      }
    }
  }

  @Test("an existing name is alreadyExists; other refusals are unavailable")
  func errnoCategories() throws {
    let directory = try Self.temporaryDirectory("exists")
    let exists = try #require(throws: FileSystemError.self) { try FileSystem.makeDirectory(directory) }
    #expect(exists.category == .alreadyExists)
    let refused = try #require(throws: FileSystemError.self) {
      try FileSystem.makeDirectories(directory + "/sub", mode: 0o755)
      let file = directory + "/sub/file"
      FileSystem.close(try FileSystem.open(file, O_WRONLY | O_CREAT))
      try FileSystem.makeDirectories(file + "/below")
    }
    #expect(refused.code == ENOTDIR && refused.category == .unavailable, "\(refused)")
  }

  @Test("written bytes read back whole, at an offset and appended")
  func writeAndRead() throws {
    let path = try Self.temporaryDirectory("write") + "/a/b/file"
    try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
    let descriptor = try FileSystem.open(path, O_WRONLY | O_CREAT | O_TRUNC)
    try FileSystem.write(descriptor, [1, 2, 3], path: path)
    try FileSystem.write(descriptor, [9, 9], at: 1, path: path)
    try FileSystem.sync(descriptor, path: path)
    FileSystem.close(descriptor)
    #expect(try FileSystem.readFile(path) == [1, 9, 9])
    #expect(try FileSystem.status(path).size == 3)
  }

  @Test("a non-blocking exclusive lock fails while another descriptor holds it, and succeeds after release")
  func exclusiveLock() throws {
    let path = try Self.temporaryDirectory("lock") + "/gc.lock"
    let held = try FileLock(path)
    #expect(try FileLock.attempt(path) == nil)
    #expect(try FileLock.attempt(path, .shared) == nil)
    held.unlock()
    held.unlock()
    let second = try #require(try FileLock.attempt(path))
    second.unlock()
  }

  @Test("shared locks coexist and keep an exclusive one out")
  func sharedLocks() throws {
    let path = try Self.temporaryDirectory("shared") + "/lock"
    let first = try #require(try FileLock.attempt(path, .shared))
    let second = try #require(try FileLock.attempt(path, .shared))
    #expect(try FileLock.attempt(path) == nil)
    first.unlock()
    second.unlock()
    #expect(try FileLock.attempt(path) != nil)
  }

  @Test("a fresh temporary directory is not on a read-only file system and is writable")
  func writableDirectory() throws {
    let directory = try Self.temporaryDirectory("writable")
    #expect(!FileSystem.isOnReadOnlyFileSystem(directory))
    try FileSystem.checkAccess(directory, .write)
    try FileSystem.checkAccess(directory, .read)
    let missing = try #require(throws: FileSystemError.self) {
      try FileSystem.checkAccess(directory + "/absent", .write)
    }
    #expect(missing.message == "\(directory)/absent: not writable: No such file or directory")
  }

  @Test("a file's identity changes when it is rewritten in place or replaced")
  func identityChanges() throws {
    let path = try Self.file("identity", [1, 2, 3])
    let before = try FileIdentity(of: path)
    #expect(try FileIdentity(of: path) == before)
    // In place: the same inode, a new size (the times may not move within one clock tick).
    let descriptor = try FileSystem.open(path, O_WRONLY)
    try FileSystem.write(descriptor, [7, 7, 7, 7], at: 0, path: path)
    FileSystem.close(descriptor)
    let rewritten = try FileIdentity(of: path)
    #expect(rewritten != before)
    #expect(rewritten.inode == before.inode && rewritten.size == 4)
    // Replaced as editors do (a new file renamed over it): the same size, a new inode.
    try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: path), options: .atomic)
    let replaced = try FileIdentity(of: path)
    #expect(replaced != rewritten)
    #expect(replaced.size == 4 && replaced.inode != rewritten.inode)
  }

  @Test("directories list their names; status tells kinds and permissions apart")
  func listingAndStatus() throws {
    let directory = try Self.temporaryDirectory("list")
    try FileSystem.makeDirectory(directory + "/sub", mode: 0o750)
    FileSystem.close(try FileSystem.open(directory + "/file", O_WRONLY | O_CREAT, mode: 0o600))
    try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "file")
    #expect(Set(try FileSystem.listDirectory(directory)) == ["sub", "file", "link"])
    #expect(try FileSystem.status(directory + "/sub").kind == .directory)
    #expect(try FileSystem.status(directory + "/sub").permissions == 0o750)
    #expect(try FileSystem.status(directory + "/link").kind == .regularFile)
    #expect(try FileSystem.status(directory + "/link", followingLinks: false).kind == .symbolicLink)
    try FileSystem.rename(directory + "/file", to: directory + "/renamed")
    #expect(!FileSystem.exists(directory + "/file") && FileSystem.exists(directory + "/renamed"))
    try FileSystem.unlink(directory + "/renamed")
    #expect(FileSystem.touch(directory + "/sub") && !FileSystem.touch(directory + "/absent"))
  }

  @Test("this process exists; a pid no process has does not")
  func processes() {
    #expect(FileSystem.processExists(getpid()))
    #expect(!FileSystem.processExists(999_999_999))
  }
}

@Suite("directory entry names")
struct EntryNameTests {
  @Test("names that are not UTF-8 are detected and shown with their bytes")
  func escaped() {
    let invalid = FileSystem.EntryName(bytes: Array("x".utf8) + [0xFF])
    #expect(!invalid.isValidUTF8)
    #expect(invalid.escaped == "x\\xFF")
    #expect(invalid.repaired == "x\u{FFFD}")
    let repairedLookAlike = FileSystem.EntryName(bytes: Array("x\u{FFFD}".utf8))
    #expect(repairedLookAlike.isValidUTF8 && repairedLookAlike.escaped == "x\u{FFFD}")
    let mixed = FileSystem.EntryName(bytes: Array("é".utf8) + [0xC3] + Array("a😀".utf8) + [0x80])
    #expect(mixed.escaped == "é\\xC3a😀\\x80")
  }
}
