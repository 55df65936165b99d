import FileSystem
import Foundation
import RegistryCore

/// Where a SavedModel's bytes come from.
///
/// A directory on disk is the usual source. The registry reads a stored version's objects
/// through a source of its own, so it can open (and run) a version without writing a copy.
/// Paths are relative to the model root, with `/` separators.
public protocol SavedModelSource: Sendable {
  /// What errors name as the model's location: the directory, or where a stored version lives.
  var root: URL { get }
  /// Every file and directory below the root, sorted by path (bytewise).
  func listing() throws(FormatError) -> [SavedModelDirectory.FileEntry]
  /// The size of a regular file.
  func size(of path: String) throws(FormatError) -> Int64
  /// Reads exactly `count` bytes of `path` at `offset`, failing if the file is shorter.
  func read(_ path: String, offset: Int64, count: Int) throws(FormatError) -> [UInt8]
}

extension SavedModelSource {
  /// Reads a whole (small) file: `saved_model.pb`, `fingerprint.pb`, an index.
  ///
  /// - Throws: `FormatError` `.resourceExhausted` when the file is larger than
  ///   `Limits.current.fileBytes`, before anything is allocated: a sparse file costs nothing on
  ///   disk but would cost its full size in memory.
  public func read(_ path: String) throws(FormatError) -> [UInt8] {
    let size = try size(of: path)
    do {
      try Limits.check("reading this file whole", size, against: Limits.current.fileBytes, limit: "FILE_BYTES")
    } catch {
      throw FormatError(error, file: location(of: path).path)
    }
    return try read(path, offset: 0, count: Int(size))
  }

  /// The location of `path` as errors name it.
  public func location(of path: String) -> URL { root.appendingPathComponent(path) }
}

/// A SavedModel directory on disk. Listing refuses symlinks and special files.
public struct DirectorySource: SavedModelSource {
  public let root: URL

  public init(_ root: URL) { self.root = root }

  public func listing() throws(FormatError) -> [SavedModelDirectory.FileEntry] { try DirectoryWalker.walk(root) }

  /// Refuses directories, devices, symlinks and the like: a link inside an untrusted model could
  /// point anywhere (`push` refuses links too).
  public func size(of path: String) throws(FormatError) -> Int64 {
    let file = location(of: path).path
    let status: FileStatus
    do {
      status = try FileSystem.status(file, followingLinks: false)
    } catch {
      throw FormatError(error.relabelled("cannot read"))
    }
    guard status.kind == .regularFile else { throw FormatError(.invalidArgument, file: file, "not a regular file") }
    return status.size
  }

  public func read(_ path: String, offset: Int64, count: Int) throws(FormatError) -> [UInt8] {
    do {
      return try FileSystem.readExactly(location(of: path).path, count: count, at: offset)
    } catch {
      throw FormatError(error)
    }
  }
}
