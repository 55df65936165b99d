import Foundation
import RegistryCore

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
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw .invalidArgument(op: "Slice", reason: "sizes \(shape) must be non-negative")
    }
    for axis in 0..<x.rank where shape[axis] > 0 {
      // Checked: sizes and strides are input values; an overflow cannot land inside the axis.
      let (offset, overflow) = (shape[axis] - 1).multipliedReportingOverflow(by: step[axis])
      let (last, beyond) = begin[axis].addingReportingOverflow(offset)
      guard !overflow, !beyond, step[axis] != 0 || shape[axis] == 1, (0..<x.shape[axis]).contains(begin[axis]),
        (0..<x.shape[axis]).contains(last)
      else {
        throw .invalidArgument(
          op: "Slice",
          reason:
            "axis \(axis): \(shape[axis]) elements from \(begin[axis]) by \(step[axis]) leave 0..<\(x.shape[axis])")
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
    let output = TensorBuffer.make(dtype: x.dtype, count: count, zeroed: false)  // every row is copied
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

extension Rearrange {
  /// Slices of `params` along `axis` picked by `indices`: output shape
  /// `params.shape[..<axis] + indexShape + params.shape[(axis+1)...]`.
  ///
  /// Corresponds to the TensorFlow op `GatherV2` with `batch_dims` 0. Each picked slice is one
  /// contiguous block copy, so a lookup in a large embedding table touches only the rows it
  /// returns.
  ///
  /// - Throws: `TensorError.invalidArgument` for an axis out of range or an index outside
  ///   `0..<params.shape[axis]` (naming the index).
  public static func gather(_ params: Tensor, indices: [Int], indexShape: [Int], axis: Int) throws(TensorError)
    -> Tensor
  {
    guard axis >= 0, axis < params.rank else {
      throw .invalidArgument(op: "GatherV2", reason: "axis \(axis) is out of range for rank \(params.rank)")
    }
    let size = params.shape[axis]
    if let bad = indices.first(where: { $0 < 0 || $0 >= size }) {
      throw .invalidArgument(op: "GatherV2", reason: "index \(bad) is out of range [0, \(size))")
    }
    let outer = Shape.elementCount(Array(params.shape[..<axis]))
    let inner = Shape.elementCount(Array(params.shape[(axis + 1)...]))
    let shape = Array(params.shape[..<axis]) + indexShape + Array(params.shape[(axis + 1)...])
    // A few indices can pick a large slice many times over.
    try Shape.checkAllocation(shape, dtype: params.dtype, op: "GatherV2")
    return blocks(params, shape: shape, blockLength: inner, count: outer * indices.count) { block in
      let (o, i) = block.quotientAndRemainder(dividingBy: indices.count)
      return (o * size + indices[i]) * inner
    }
  }

  /// `tensors` joined along `axis`; all have the same dtype and the same other dimensions.
  ///
  /// Corresponds to the TensorFlow op `ConcatV2`.
  ///
  /// - Throws: `TensorError.invalidShape` when the shapes or dtypes do not line up.
  public static func concatenate(_ tensors: [Tensor], axis: Int) throws(TensorError) -> Tensor {
    guard let first = tensors.first else { throw .invalidArgument(op: "ConcatV2", reason: "nothing to join") }
    guard axis >= 0, axis < first.rank else {
      throw .invalidArgument(op: "ConcatV2", reason: "axis \(axis) is out of range for rank \(first.rank)")
    }
    for tensor in tensors {
      guard tensor.dtype == first.dtype, tensor.rank == first.rank,
        tensor.shape.indices.allSatisfy({ $0 == axis || tensor.shape[$0] == first.shape[$0] })
      else {
        throw .invalidShape(
          op: "ConcatV2", shape: tensor.shape,
          reason: "cannot join \(tensors.map { Shape.format($0.shape) }.joined(separator: ", ")) on axis \(axis)")
      }
    }
    var shape = first.shape
    // The same large tensor may be joined many times over: the sum is checked, then the size.
    var joined = 0
    for tensor in tensors {
      let (sum, overflow) = joined.addingReportingOverflow(tensor.shape[axis])
      guard !overflow else {
        throw .limitExceeded(
          op: "ConcatV2",
          LimitExceeded(
            "\(tensors.count) tensors joined on axis \(axis)", limit: "TENSOR_ELEMENTS", requested: nil,
            allowed: Limits.current.tensorElements))
      }
      joined = sum
    }
    shape[axis] = joined
    try Shape.checkAllocation(shape, dtype: first.dtype, op: "ConcatV2")
    let outer = Shape.elementCount(Array(first.shape[..<axis]))
    let chunks = tensors.map { Shape.elementCount(Array($0.shape[axis...])) }
    let total = chunks.reduce(0, +)
    guard total > 0, outer > 0 else { return copy(first, offset: 0, shape: shape, strides: shape.map { _ in 0 }) }
    // The output is `outer` runs of [chunk of tensor 0, chunk of tensor 1, ...].
    let starts = chunks.reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast()
    if first.dtype == .string {
      var strings = [[UInt8]]()
      strings.reserveCapacity(outer * total)
      let parts = tensors.map { (try? $0.strings()) ?? [] }
      for o in 0..<outer {
        for (part, chunk) in zip(parts, chunks) { strings += part[(o * chunk)..<((o + 1) * chunk)] }
      }
      return Tensor(strings: strings, shape: shape)
    }
    let output = TensorBuffer.make(dtype: first.dtype, count: outer * total, zeroed: false)  // every chunk is copied
    let width = first.dtype.elementSize ?? 1
    for (tensor, (chunk, start)) in zip(tensors, zip(chunks, starts)) where chunk > 0 {
      guard case .dense(let buffer) = tensor.storage else { continue }
      Parallel.forEachRange(outer, costPerItem: chunk) { range in
        for o in range {
          (output.base + (o * total + start) * width).copyMemory(
            from: buffer.base + o * chunk * width, byteCount: chunk * width)
        }
      }
      withExtendedLifetime(buffer) {}
    }
    return Tensor(dtype: first.dtype, shape: shape, storage: .dense(output))
  }

  /// A tensor of `shape` made of `count` blocks of `blockLength` elements, block `b` copied from
  /// source element `source(b)` on.
  static func blocks(_ x: Tensor, shape: [Int], blockLength: Int, count: Int, source: (Int) -> Int) -> Tensor {
    guard case .dense(let buffer) = x.storage, let width = x.dtype.elementSize else {
      let strings = (try? x.strings()) ?? []
      var result: [[UInt8]] = []
      result.reserveCapacity(count * blockLength)
      for block in 0..<count {
        let start = source(block)
        result += strings[start..<(start + blockLength)]
      }
      return Tensor(strings: result, shape: shape)
    }
    let output = TensorBuffer.make(dtype: x.dtype, count: count * blockLength, zeroed: false)  // every block is copied
    let bytes = blockLength * width
    Parallel.forEachRange(count, costPerItem: blockLength) { range in
      for block in range {
        (output.base + block * bytes).copyMemory(from: buffer.base + source(block) * width, byteCount: bytes)
      }
    }
    withExtendedLifetime(buffer) {}
    return Tensor(dtype: x.dtype, shape: shape, storage: .dense(output))
  }
}

extension Rearrange {
  /// `x` with `before[d]` and `after[d]` elements of `constant` (a scalar of `x`'s dtype) added
  /// around each axis `d`.
  ///
  /// Corresponds to the TensorFlow ops `Pad` and `PadV2`. The output starts as the constant and
  /// each innermost row of `x` is copied to its place in one piece.
  ///
  /// - Throws: `TensorError.invalidArgument` for negative or mis-sized paddings, or a constant of
  ///   another dtype or more than one element.
  public static func pad(_ x: Tensor, before: [Int], after: [Int], constant: Tensor) throws(TensorError) -> Tensor {
    guard before.count == x.rank, after.count == x.rank, (before + after).allSatisfy({ $0 >= 0 }) else {
      throw .invalidArgument(op: "Pad", reason: "paddings \(before) / \(after) do not fit rank \(x.rank)")
    }
    guard constant.dtype == x.dtype, constant.elementCount == 1 else {
      throw .invalidArgument(op: "Pad", reason: "the constant must be one \(x.dtype) value")
    }
    // Paddings are input values: each sum is checked, then the output size.
    var shape: [Int] = []
    for axis in x.shape.indices {
      let (padded, overflow) = x.shape[axis].addingReportingOverflow(before[axis])
      let (size, beyond) = padded.addingReportingOverflow(after[axis])
      guard !overflow, !beyond else {
        throw .limitExceeded(
          op: "Pad",
          LimitExceeded(
            "a tensor of shape \(Shape.format(x.shape)) padded by \(before) and \(after)", limit: "TENSOR_ELEMENTS",
            requested: nil, allowed: Limits.current.tensorElements))
      }
      shape.append(size)
    }
    try Shape.checkAllocation(shape, dtype: x.dtype, op: "Pad")
    let count = Shape.elementCount(shape)
    let outputStrides = Shape.strides(shape)
    let rowLength = x.shape.last ?? 1
    let rows = rowLength == 0 || x.rank == 0 ? (x.rank == 0 ? 1 : 0) : x.elementCount / rowLength
    let outer = Array(x.shape.dropLast())
    /// The output offset of input row `row`'s first element.
    func destination(ofRow row: Int) -> Int {
      var remainder = row
      var offset = before.last ?? 0
      for axis in outer.indices.reversed() {
        offset += (remainder % outer[axis] + before[axis]) * outputStrides[axis]
        remainder /= outer[axis]
      }
      return offset
    }
    guard case .dense(let buffer) = x.storage, case .dense(let fillBuffer) = constant.storage,
      let width = x.dtype.elementSize
    else {
      let strings = (try? x.strings()) ?? []
      var result = [[UInt8]](repeating: (try? constant.strings().first) ?? [], count: count)
      for row in 0..<rows {
        let start = destination(ofRow: row)
        for i in 0..<rowLength { result[start + i] = strings[row * rowLength + i] }
      }
      return Tensor(strings: result, shape: shape)
    }
    let output = TensorBuffer.make(dtype: x.dtype, count: count)
    let fill = UnsafeRawBufferPointer(start: fillBuffer.base, count: width)
    if fill.contains(where: { $0 != 0 }) {
      for index in 0..<count { (output.base + index * width).copyMemory(from: fillBuffer.base, byteCount: width) }
    }
    Parallel.forEachRange(rows, costPerItem: max(rowLength, 1)) { range in
      for row in range {
        (output.base + destination(ofRow: row) * width).copyMemory(
          from: buffer.base + row * rowLength * width, byteCount: rowLength * width)
      }
    }
    withExtendedLifetime((buffer, fillBuffer)) {}
    return Tensor(dtype: x.dtype, shape: shape, storage: .dense(output))
  }
}

extension Rearrange {
  /// `x` repeated `multiples[d]` times along each axis `d`.
  ///
  /// Corresponds to the TensorFlow op `Tile` (and, from a scalar, `Fill`). Output axis `d` is
  /// read as `[multiples[d], x.shape[d]]` with a stride of 0 on the repeat, so the result is one
  /// strided copy (whole rows with `memcpy` when the innermost axis is not repeated) with no
  /// index per element. The multiples are input values: the output is checked against the
  /// limits before it is allocated.
  ///
  /// - Throws: `TensorError.invalidArgument` when `multiples` does not have one non-negative
  ///   entry per axis, `.limitExceeded` when the result would be too large.
  public static func tile(_ x: Tensor, multiples: [Int]) throws(TensorError) -> Tensor {
    guard multiples.count == x.rank, multiples.allSatisfy({ $0 >= 0 }) else {
      throw .invalidArgument(op: "Tile", reason: "multiples \(multiples) do not fit rank \(x.rank)")
    }
    let expanded = zip(multiples, x.shape).flatMap { [$0, $1] }
    try Shape.checkAllocation(expanded, elementSize: x.dtype.elementSize ?? MemoryLayout<[UInt8]>.stride, op: "Tile") {
      "\(Shape.describe(x.dtype)) tensor of shape \(Shape.format(x.shape)) tiled \(multiples) times"
    }
    let rowMajor = Shape.strides(x.shape)
    let tiled = copy(x, offset: 0, shape: expanded, strides: rowMajor.flatMap { [0, $0] })
    let shape = zip(multiples, x.shape).map { $0 * $1 }
    return Tensor(dtype: x.dtype, shape: shape, storage: tiled.storage)
  }
}
