import Foundation

/// Ops that only move elements: transposes and strided slices (and, through them, `Split`,
/// `Unpack`, `StridedSlice` and the operand layouts `Einsum` needs).
///
/// Both are one strided copy: output element `i` (row-major) comes from the source at
/// `offset + Σ index[d] · stride[d]`. Axes that stay contiguous are merged first, so a transpose
/// that keeps the innermost axis copies whole rows with `memcpy`, and rows are spread across
/// cores when there are enough of them. Exact (no arithmetic on the elements).
public enum Rearrange {
  /// `x` with its axes reordered: output axis `i` is input axis `permutation[i]`.
  ///
  /// Corresponds to the TensorFlow op `Transpose`.
  ///
  /// - Throws: `TensorError.invalidArgument` when `permutation` is not a permutation of the axes.
  public static func permute(_ x: Tensor, _ permutation: [Int]) throws(TensorError) -> Tensor {
    guard permutation.sorted() == Array(0..<x.rank) else {
      throw .invalidArgument(op: "Transpose", reason: "\(permutation) is not a permutation of \(x.rank) axes")
    }
    let rowMajor = Shape.strides(x.shape)
    return copy(x, offset: 0, shape: permutation.map { x.shape[$0] }, strides: permutation.map { rowMajor[$0] })
  }

  /// The elements at `begin + i · strides` for every index `i` of `shape` (strides may be
  /// negative, as in `x[::-1]`).
  ///
  /// - Throws: `TensorError.invalidArgument` when a selected index lies outside `x`.
  public static func slice(_ x: Tensor, begin: [Int], strides step: [Int], shape: [Int]) throws(TensorError) -> Tensor {
    guard begin.count == x.rank, step.count == x.rank, shape.count == x.rank else {
      throw .invalidArgument(op: "Slice", reason: "begin, strides and shape must have \(x.rank) entries")
    }
    for axis in 0..<x.rank where shape[axis] > 0 {
      let last = begin[axis] + (shape[axis] - 1) * step[axis]
      guard shape[axis] >= 0, (0..<x.shape[axis]).contains(begin[axis]), (0..<x.shape[axis]).contains(last) else {
        throw .invalidArgument(
          op: "Slice", reason: "axis \(axis): \(shape[axis]) elements from \(begin[axis]) by \(step[axis]) leave 0..<\(x.shape[axis])")
      }
    }
    let rowMajor = Shape.strides(x.shape)
    let offset = Shape.elementCount(shape) == 0 ? 0 : zip(begin, rowMajor).reduce(0) { $0 + $1.0 * $1.1 }
    return copy(x, offset: offset, shape: shape, strides: zip(rowMajor, step).map { $0 * $1 })
  }

  /// Output element `i` of `shape` (row-major) is source element `offset + Σ index[d] · strides[d]`.
  static func copy(_ x: Tensor, offset: Int, shape: [Int], strides: [Int]) -> Tensor {
    let count = Shape.elementCount(shape)
    // Merge axes that are contiguous in the source too, and drop axes of size 1.
    var dimensions: [Int] = []
    var steps: [Int] = []
    for (size, stride) in zip(shape, strides) where size != 1 {
      if let last = dimensions.indices.last, steps[last] == stride * size {
        dimensions[last] *= size
        steps[last] = stride
      } else {
        dimensions.append(size)
        steps.append(stride)
      }
    }
    if dimensions.isEmpty {
      dimensions = [1]
      steps = [1]
    }
    let inner = dimensions.removeLast()
    let innerStep = steps.removeLast()
    let rows = count == 0 ? 0 : count / inner

    func walk(_ range: Range<Int>, _ copyRow: (_ destination: Int, _ source: Int) -> Void) {
      var counter = [Int](repeating: 0, count: dimensions.count)
      var remainder = range.lowerBound
      var source = offset
      for axis in dimensions.indices.reversed() {
        counter[axis] = remainder % dimensions[axis]
        remainder /= dimensions[axis]
        source += counter[axis] * steps[axis]
      }
      for row in range {
        copyRow(row * inner, source)
        var axis = dimensions.count - 1
        while axis >= 0 {
          counter[axis] += 1
          source += steps[axis]
          if counter[axis] < dimensions[axis] { break }
          source -= steps[axis] * dimensions[axis]
          counter[axis] = 0
          axis -= 1
        }
      }
    }

    guard case .dense(let buffer) = x.storage, let size = x.dtype.elementSize else {
      let strings = (try? x.strings()) ?? []
      var result = [[UInt8]](repeating: [], count: count)
      walk(0..<rows) { destination, source in
        for i in 0..<inner { result[destination + i] = strings[source + i * innerStep] }
      }
      return Tensor(strings: result, shape: shape)
    }
    let output = TensorBuffer.make(dtype: x.dtype, count: count)
    let (from, to) = (UnsafeRawPointer(buffer.base), output.base)
    // Elements move as opaque words of their size, through raw loads and stores (which do not
    // care what type the memory is bound to).
    func typed<Word: FixedWidthInteger>(_: Word.Type) {
      let width = MemoryLayout<Word>.size
      Parallel.forEachRange(rows, costPerItem: inner) { range in
        walk(range) { d, s in
          if innerStep == 1 {
            (to + d * width).copyMemory(from: from + s * width, byteCount: inner * width)
          } else {
            for i in 0..<inner {
              let word = from.load(fromByteOffset: (s + i * innerStep) * width, as: Word.self)
              to.storeBytes(of: word, toByteOffset: (d + i) * width, as: Word.self)
            }
          }
        }
      }
    }
    switch size {
    case 1: typed(UInt8.self)
    case 2: typed(UInt16.self)
    case 4: typed(UInt32.self)
    default: typed(UInt64.self)
    }
    withExtendedLifetime(buffer) {}
    return Tensor(dtype: x.dtype, shape: shape, storage: .dense(output))
  }
}
