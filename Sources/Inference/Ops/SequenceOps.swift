import TensorKernels

/// Ops that sequence and attention models use to reverse, accumulate and mask along axes:
/// `ReverseV2` (backward RNN layers), `Cumsum`/`Cumprod` (positions from a padding mask),
/// `Where` (coordinates of true elements), `MatrixBandPart` (causal attention masks).
enum SequenceOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("ReverseV2") { context throws(InferenceError) in
      let x = try context.tensor(0)
      var reversed = Set<Int>()
      for axis in try ArrayOps.integers(try context.tensor(1), context) {
        let resolved = axis < 0 ? axis + x.rank : axis
        guard resolved >= 0, resolved < x.rank, reversed.insert(resolved).inserted else {
          throw InferenceError(
            .invalidArgument, "\(context.location): axis \(axis) is out of range or repeated for rank \(x.rank)")
        }
      }
      let begin = x.shape.indices.map { reversed.contains($0) ? x.shape[$0] - 1 : 0 }
      let steps = x.shape.indices.map { reversed.contains($0) ? -1 : 1 }
      return [.tensor(try ArrayOps.slice(x, begin: begin, strides: steps, shape: x.shape, context))]
    }
    for name in ["Cumsum", "Cumprod"] {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        guard let raw = try ArrayOps.integers(try context.tensor(1), context).first else {
          throw InferenceError(.invalidArgument, "\(context.location): axis is empty")
        }
        let axis = raw < 0 ? raw + x.rank : raw
        guard axis >= 0, axis < max(x.rank, 1) else {
          throw InferenceError(.invalidArgument, "\(context.location): axis \(raw) is out of range for rank \(x.rank)")
        }
        let scan = Scan(
          shape: x.rank == 0 ? [1] : x.shape, axis: axis, exclusive: try context.bool("exclusive"),
          reverse: try context.bool("reverse"))
        let product = name == "Cumprod"
        let result: Tensor
        switch x.dtype {
        case .float32:
          let values = try context.run { try x.floats() }
          result = Tensor(float32: product ? scan.run(values, 1, *) : scan.run(values, 0, +), shape: x.shape)
        case .float64:
          let values = try context.run { try x.doubles() }
          result = Tensor(float64: product ? scan.run(values, 1, *) : scan.run(values, 0, +), shape: x.shape)
        case .int32:
          let values = try context.run { try x.int32s() }
          result = Tensor(int32: product ? scan.run(values, 1, &*) : scan.run(values, 0, &+), shape: x.shape)
        case .int64:
          let values = try context.run { try x.int64s() }
          result = Tensor(int64: product ? scan.run(values, 1, &*) : scan.run(values, 0, &+), shape: x.shape)
        default: throw InferenceError(.unsupported, "\(context.location): \(x.dtype) is not supported")
        }
        return [.tensor(result)]
      }
    }
    registry.register("Where") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let truth = try context.run {
        try
          (x.dtype == .bool
          ? x : try Comparison.apply(.notEqual, x, try Cast.apply(Tensor(float64: [0], shape: []), to: x.dtype)))
          .bools()
      }
      let coordinates = ArrayOps.allIndices(x.shape)
      var flat: [Int64] = []
      var count = 0
      for (index, isTrue) in truth.enumerated() where isTrue {
        flat += (x.rank == 0 ? [] : coordinates[index]).map(Int64.init)
        count += 1
      }
      return [.tensor(Tensor(int64: flat, shape: [count, x.rank]))]
    }
    registry.register("MatrixBandPart") { context throws(InferenceError) in
      let x = try context.tensor(0)
      guard x.rank >= 2 else {
        throw InferenceError(.invalidArgument, "\(context.location): input must be at least 2-D")
      }
      let lower = try ArrayOps.integers(try context.tensor(1), context).first ?? -1
      let upper = try ArrayOps.integers(try context.tensor(2), context).first ?? -1
      let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
      guard lower <= rows, upper <= columns else {
        throw InferenceError(
          .invalidArgument, "\(context.location): num_lower \(lower) or num_upper \(upper) exceeds the matrix size")
      }
      var keep = [Bool](repeating: false, count: rows * columns)
      for i in 0..<rows {
        for j in 0..<columns {
          keep[i * columns + j] = (lower < 0 || i - j <= lower) && (upper < 0 || j - i <= upper)
        }
      }
      let mask = Tensor(bool: keep, shape: [rows, columns])
      let zero = try context.run { try Cast.apply(Tensor(float64: [0], shape: []), to: x.dtype) }
      return [.tensor(try context.run { try Select.applyV2(condition: mask, x, zero) })]
    }
  }

  /// A running sum or product along one axis, accumulated in the element type in order, as
  /// TensorFlow does.
  struct Scan {
    let shape: [Int]
    let axis: Int
    let exclusive: Bool
    let reverse: Bool

    /// - Parameters: identity, combine: 0 and `+` for a sum (wrapping `&+` on integers, as
    ///   TensorFlow's do), 1 and `*` for a product.
    func run<T>(_ values: [T], _ identity: T, _ combine: (T, T) -> T) -> [T] {
      let length = shape[axis]
      let inner = shape[(axis + 1)...].reduce(1, *)
      let outer = shape[..<axis].reduce(1, *)
      var result = values
      guard length > 0 else { return result }
      for o in 0..<outer {
        for i in 0..<inner {
          var running = identity
          for step in 0..<length {
            let k = reverse ? length - 1 - step : step
            let index = (o * length + k) * inner + i
            if exclusive {
              result[index] = running
              running = combine(running, values[index])
            } else {
              running = combine(running, values[index])
              result[index] = running
            }
          }
        }
      }
      return result
    }
  }
}
