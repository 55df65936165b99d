import Foundation

/// A file of op vectors that `Scripts/make-op-vectors.py` wrote with TensorFlow: the version that
/// wrote it and its cases, read once by each test suite that checks an op family against it.
struct OpVectorFile<Case: Decodable>: Decodable {
  let tensorflow: String
  let cases: [Case]

  /// Reads `Vectors/NAME` beside this file (snake_case keys), or nil when it is missing or
  /// unreadable, which the suites turn into a failure with the file's name.
  static func load(_ name: String) -> OpVectorFile? {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name)")
    guard let data = try? Data(contentsOf: url) else { return nil }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try? decoder.decode(OpVectorFile.self, from: data)
  }
}

extension OpVectorFile: Sendable where Case: Sendable {}
