import RegistryCore
import TensorKernels
import TextKernels

/// What the text, table and ragged kernels share: string inputs and failures reported with the
/// node they happened at.
extension OpContext {
  /// Input `index` as byte strings.
  func strings(_ index: Int) throws(InferenceError) -> [[UInt8]] {
    let tensor = try self.tensor(index)
    guard tensor.dtype == .string else {
      throw InferenceError(.invalidArgument, "\(location): input \(index) must be a string tensor, got \(tensor.dtype)")
    }
    return try run { try tensor.strings() }
  }

  /// Runs a text kernel, reporting its failure as a kernel failure at this node.
  func text<T>(_ body: () throws(TextError) -> T) throws(InferenceError) -> T {
    do {
      return try body()
    } catch {
      throw InferenceError(.invalidArgument, "\(location): \(error.description)")
    }
  }
}

extension OpContext {
  /// Checks, before a string op writes anything, the bytes it will write: `strings` copied
  /// once each (an upper bound for ops whose outputs are no longer than their inputs).
  ///
  /// Strings repeated by reference (a tiled, filled or gathered string tensor shares one array
  /// per distinct string) cost little until an op writes each element out on its own, so the
  /// ops that write new strings count their total first, without allocating.
  func checkStringWrites(_ strings: [[UInt8]], of what: @autoclosure () -> String) throws(InferenceError) {
    var total = Int64(strings.count) * Int64(MemoryLayout<[UInt8]>.stride)
    for string in strings { total += Int64(string.count) }
    try checkStringBytes(total, of: what())
  }
}

extension Broadcast {
  /// For each element of `result` (row-major), the flat index of the element of an operand of
  /// shape `shape` that broadcasts to it.
  static func sourceIndices(from shape: [Int], to result: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: result.count - shape.count) + shape
    let strides = ArrayOps.strides(padded)
    return ArrayOps.allIndices(result).map { position in
      zip(position.indices, position).reduce(0) { sum, axis in
        sum + (padded[axis.0] == 1 ? 0 : axis.1 * strides[axis.0])
      }
    }
  }
}
