import Foundation
import TensorKernels

/// Small inputs as JSON: a number, string or bool, or nested arrays of them (rectangular).
///
/// The JSON carries no dtype, so the caller gives the one the tensor must have (`registry run`
/// takes it from the signature); numbers are read as doubles and cast to it.
package enum JSONTensor {
  /// A tensor of `dtype` from a value `JSONSerialization` produced.
  ///
  /// - Parameter file: the file the JSON came from, for messages and the error.
  /// - Throws: `invalidArgument` when the arrays are not rectangular, a leaf is not of the
  ///   dtype's kind, or a number does not convert to the dtype.
  package static func tensor(from value: Any, dtype: DType, file: String) throws(TensorIOError) -> Tensor {
    var shape: [Int] = []
    var probe: Any = value
    while let array = probe as? [Any] {
      shape.append(array.count)
      guard let first = array.first else { break }
      probe = first
    }
    var leaves: [Any] = []
    func flatten(_ value: Any, depth: Int) throws(TensorIOError) {
      if depth == shape.count {
        leaves.append(value)
        return
      }
      guard let array = value as? [Any], array.count == shape[depth] else {
        throw TensorIOError.invalid("\(file): the JSON array is not rectangular", file: file)
      }
      for element in array { try flatten(element, depth: depth + 1) }
    }
    try flatten(value, depth: 0)
    func number(_ leaf: Any) throws(TensorIOError) -> Double {
      if let value = leaf as? NSNumber { return value.doubleValue }
      throw TensorIOError.invalid("\(file): expected numbers for a \(dtype) input", file: file)
    }
    switch dtype {
    case .string:
      return Tensor(
        strings: try leaves.map { leaf throws(TensorIOError) in
          guard let text = leaf as? String else { throw TensorIOError.invalid("\(file): expected strings", file: file) }
          return Array(text.utf8)
        }, shape: shape)
    case .bool:
      return Tensor(
        bool: try leaves.map { leaf throws(TensorIOError) in
          guard let flag = leaf as? Bool else { throw TensorIOError.invalid("\(file): expected booleans", file: file) }
          return flag
        }, shape: shape)
    default:
      let values = try leaves.map { leaf throws(TensorIOError) in try number(leaf) }
      do {
        return try Cast.apply(Tensor(float64: values, shape: shape), to: dtype)
      } catch {
        throw TensorIOError.invalid("\(file): \(error)", file: file, underlying: error)
      }
    }
  }
}
