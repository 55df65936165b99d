/// A text or table operation failed, in TensorFlow's words; the kernel prefixes the node.
package struct TextError: Error, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }

  /// Runs a tensor accessor, reporting its failure as a table error.
  package static func wrap<T>(_ body: () throws -> T) throws(TextError) -> T {
    do { return try body() } catch { throw TextError("\(error)") }
  }
}
