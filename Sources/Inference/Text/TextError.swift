/// A text or table operation failed, in TensorFlow's words; the kernel prefixes the node.
struct TextError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }

  /// Runs a tensor accessor, reporting its failure as a table error.
  static func wrap<T>(_ body: () throws -> T) throws(TextError) -> T {
    do { return try body() } catch { throw TextError("\(error)") }
  }
}
