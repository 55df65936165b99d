import Foundation

/// A new, empty directory under the system's temporary directory, named after `label` so a
/// leftover one says which test made it.
public func makeTemporaryDirectory(_ label: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
