import Foundation
import TensorKernels
import TextKernels

/// Smaller ops serving graphs meet: `Concat` (V1), `ShapeN`, `LinSpace`, `Roll`, `Diag`,
/// `DiagPart`, `ConjugateTranspose`, `EuclideanNorm`, `L2Loss`, `Mod`,
/// `ApproximateEqual`, `BiasAddV1`, `CheckNumericsV2`, `StringStrip` and an evaluated `Assert`.
enum MiscOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("Concat") { context throws(InferenceError) in
      let count = context.inputs.count - 1
      guard count >= 1 else { throw InferenceError(.invalidArgument, "\(context.location): nothing to concatenate") }
      let tensors = try (1...count).map { index throws(InferenceError) in try context.tensor(index) }
      var axis = try ArrayOps.integers(try context.tensor(0), context).first ?? 0
      if axis < 0 { axis += tensors[0].rank }
      return [.tensor(try ArrayOps.concatenate(tensors, axis: axis, context))]
    }
    registry.register("ShapeN") { context throws(InferenceError) in
      let type = try context.dtype("out_type", default: .int32)
      return try context.inputs.indices.map { index throws(InferenceError) in
        .tensor(try ArrayOps.integerTensor(try context.tensor(index).shape, type: type, context))
      }
    }
    registry.register("LinSpace") { context throws(InferenceError) in
      let (start, stop) = (try context.tensor(0), try context.tensor(1))
      let numTensor = try context.tensor(2)
      guard start.elementCount == 1, stop.elementCount == 1, numTensor.elementCount == 1,
        let count = try ArrayOps.integers(numTensor, context).first
      else {
        throw InferenceError(.invalidArgument, "\(context.location): start, stop and num must be scalars")
      }
      guard count > 0 else {
        throw InferenceError(.invalidArgument, "\(context.location): Requires num > 0: \(count)")
      }
      try context.checkOutput([count], start.dtype)
      let from = try Cast.applyChecked(start, .float64, context)[0]
      let to = try Cast.applyChecked(stop, .float64, context)[0]
      // TensorFlow's: start + i * step in the dtype, the last value exactly `stop`.
      let values: [Double]
      if start.dtype == .float32 {
        let (first, last) = (Float(from), Float(to))
        let step = count == 1 ? 0 : (last - first) / Float(count - 1)
        values = (0..<count).map { $0 == count - 1 && count > 1 ? Double(last) : Double(first + step * Float($0)) }
      } else {
        let step = count == 1 ? 0 : (to - from) / Double(count - 1)
        values = (0..<count).map { $0 == count - 1 && count > 1 ? to : from + step * Double($0) }
      }
      return [.tensor(try Widened.floating(values).tensor(start.dtype, [count], context))]
    }
    registry.register("Roll") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let shifts = try ArrayOps.integers(try context.tensor(1), context)
      let axes = try ArrayOps.integers(try context.tensor(2), context)
      guard shifts.count == axes.count else {
        throw InferenceError(.invalidArgument, "\(context.location): shift and axis must have the same size")
      }
      var total = [Int](repeating: 0, count: x.rank)
      for (shift, raw) in zip(shifts, axes) {
        let axis = raw < 0 ? raw + x.rank : raw
        guard axis >= 0, axis < x.rank else {
          throw InferenceError(.invalidArgument, "\(context.location): axis \(raw) is out of range")
        }
        let size = x.shape[axis]
        if size > 0 { total[axis] = ((total[axis] + shift % size) % size + size) % size }
      }
      let strides = ArrayOps.strides(x.shape)
      let sources = ArrayOps.allIndices(x.shape).map { coordinate in
        coordinate.indices.reduce(0) { offset, axis in
          let size = x.shape[axis]
          return offset + ((coordinate[axis] - total[axis] + size) % size) * strides[axis]
        }
      }
      return [.tensor(try Elements(x).gather(sources).tensor(x.shape, context))]
    }
    registry.register("Diag") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let count = x.elementCount
      let shape = x.shape + x.shape
      try context.checkOutput(shape, x.dtype)
      let zero = try context.run { try Cast.apply(Tensor(float64: [0], shape: []), to: x.dtype) }
      let both = try context.run {
        try Rearrange.concatenate([try x.reshaped(to: [count]), try zero.reshaped(to: [1])], axis: 0)
      }
      let sources = (0..<(count * count)).map { $0 / count == $0 % count ? $0 / count : count }
      return [.tensor(try Elements(both).gather(sources).tensor(shape, context))]
    }
    registry.register("DiagPart") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let half = x.rank / 2
      guard x.rank % 2 == 0, x.rank > 0, Array(x.shape[..<half]) == Array(x.shape[half...]) else {
        throw InferenceError(
          .invalidArgument, "\(context.location): the input must have shape [D1, ..., Dk, D1, ..., Dk]")
      }
      let count = Shape.elementCount(Array(x.shape[..<half]))
      return [
        .tensor(try Elements(x).gather((0..<count).map { $0 * count + $0 }).tensor(Array(x.shape[..<half]), context))
      ]
    }
    registry.register("ConjugateTranspose") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let transposed = try ArrayOps.permute(x, try ArrayOps.integers(try context.tensor(1), context), context)
      // The conjugate of a real value is itself; a complex one has its imaginary parts negated.
      guard x.dtype.isComplex else { return [.tensor(transposed)] }
      return [.tensor(try context.run { try ComplexParts.conj(transposed) })]
    }
    registry.register("EuclideanNorm") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let axes = try ArrayOps.integers(try context.tensor(1), context)
      let keep = try context.bool("keep_dims")
      let squares = try context.run { try Elementwise.apply(.mul, x, x) }
      let sum = try context.run { try Reduction.apply(.sum, squares, axes: axes, keepDims: keep) }
      guard x.dtype.isFloatingPoint else {
        // Integers: the floor of the root, as TensorFlow's integer sqrt of the sum gives.
        guard case .signed(let values) = try Widened(sum, context) else {
          throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not supported")
        }
        let roots = values.map { Int64(Double($0).squareRoot().rounded(.down)) }
        return [.tensor(try Widened.signed(roots).tensor(x.dtype, sum.shape, context))]
      }
      return [.tensor(try context.run { try Elementwise.apply(.sqrt, sum) })]
    }
    registry.register("L2Loss") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let squares = try context.run { try Elementwise.apply(.mul, x, x) }
      let sum = try context.run { try Reduction.apply(.sum, squares, axes: Array(0..<x.rank), keepDims: false) }
      let two = try context.run { try Cast.apply(Tensor(float64: [2], shape: []), to: x.dtype) }
      return [.tensor(try context.run { try Elementwise.apply(.realDiv, sum, two) })]
    }
    registry.register("ApproximateEqual") { context throws(InferenceError) in
      let (x, y) = (try context.tensor(0), try context.tensor(1))
      guard x.shape == y.shape else {
        throw InferenceError(.invalidArgument, "\(context.location): x and y must have the same shape")
      }
      let tolerance = Double(try context.float("tolerance", default: 1e-5))
      let (a, b, shape) = try Broadcasting.pair(x, y, context)
      let close: [Bool]
      switch (a, b) {
      case (.floating(let left), .floating(let right)): close = zip(left, right).map { Swift.abs($0 - $1) < tolerance }
      case (.signed(let left), .signed(let right)):
        close = zip(left, right).map { Swift.abs(Double($0) - Double($1)) < tolerance }
      case (.unsigned(let left), .unsigned(let right)):
        close = zip(left, right).map { Swift.abs(Double($0) - Double($1)) < tolerance }
      default: throw InferenceError(.invalidArgument, "\(context.location): x and y differ in dtype")
      }
      return [.tensor(Tensor(bool: close, shape: shape))]
    }
    registry.register("BiasAddV1") { context throws(InferenceError) in
      let (value, bias) = (try context.tensor(0), try context.tensor(1))
      return [.tensor(try context.run { try BiasAdd.apply(value, bias: bias) })]
    }
    registry.register("CheckNumericsV2") { context throws(InferenceError) in [context.inputs[0]] }
    registry.register("StringStrip") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let strings = try context.strings(0)
      let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
      let stripped = strings.map { bytes -> [UInt8] in
        guard let first = bytes.firstIndex(where: { !space.contains($0) }),
          let last = bytes.lastIndex(where: { !space.contains($0) })
        else { return [] }
        return Array(bytes[first...last])
      }
      return [.tensor(Tensor(strings: stripped, shape: x.shape))]
    }
    registry.register("ReduceJoin") { context throws(InferenceError) in try reduceJoin(context) }
    registry.register("StringFormat") { context throws(InferenceError) in
      let template = Array(try context.string("template", default: "%s").utf8)
      let placeholder = Array(try context.string("placeholder", default: "%s").utf8)
      let summarize = try context.int("summarize", default: 3)
      guard !placeholder.isEmpty else {
        throw InferenceError(.invalidArgument, "\(context.location): the placeholder must not be empty")
      }
      // The template cut at each placeholder: one more piece than placeholders.
      var pieces: [[UInt8]] = [[]]
      var index = 0
      while index < template.count {
        if template[index...].starts(with: placeholder) {
          pieces.append([])
          index += placeholder.count
        } else {
          pieces[pieces.count - 1].append(template[index])
          index += 1
        }
      }
      guard pieces.count - 1 == context.inputs.count else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): num placeholders in template and num inputs must match: \(pieces.count - 1) vs. \(context.inputs.count)"
        )
      }
      var result = pieces[0]
      for (position, piece) in pieces.dropFirst().enumerated() {
        result += Array(try summaryV2(try context.tensor(position), limit: summarize, context).utf8)
        result += piece
      }
      try context.checkStringBytes(Int64(result.count), of: "the formatted string")
      return [.tensor(Tensor(strings: [result], shape: []))]
    }
    registry.register("Assert") { context throws(InferenceError) in
      let condition = try context.tensor(0)
      guard condition.dtype == .bool, condition.elementCount == 1 else {
        throw InferenceError(.invalidArgument, "\(context.location): the condition must be a bool scalar")
      }
      if try context.run({ try condition.bools()[0] }) { return [] }
      let summarize = try context.int("summarize", default: 3)
      let pieces = try (1..<context.inputs.count).map { index throws(InferenceError) in
        "[" + (try summary(try context.tensor(index), limit: summarize, context)) + "]"
      }
      throw InferenceError(
        .invalidArgument, "\(context.location): assertion failed: \(pieces.joined(separator: " "))")
    }
  }

  /// `ReduceJoin`: the strings along `reduction_indices` joined with `separator`. The order is
  /// TensorFlow's: the first listed axis varies fastest (`[0, 1]` on `[[a, b], [c, d]]` gives
  /// `a c b d`, `[1, 0]` gives `a b c d`).
  static func reduceJoin(_ context: OpContext) throws(InferenceError) -> [Value] {
    let x = try context.tensor(0)
    let strings = try context.strings(0)
    let listed = try ArrayOps.integers(try context.tensor(1), context)
    let keep = try context.bool("keep_dims")
    let separator = Array(try context.string("separator", default: "").utf8)
    var axes: [Int] = []
    for raw in listed {
      let axis = raw < 0 ? raw + x.rank : raw
      guard axis >= 0, axis < x.rank else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): Invalid reduction dimension \(raw) for input with \(x.rank) dimension(s)")
      }
      guard !axes.contains(axis) else {
        throw InferenceError(.invalidArgument, "\(context.location): Duplicate reduction dimension \(axis)")
      }
      axes.append(axis)
    }
    let kept = (0..<x.rank).filter { !axes.contains($0) }
    let shape = keep ? x.shape.indices.map { axes.contains($0) ? 1 : x.shape[$0] } : kept.map { x.shape[$0] }
    let strides = ArrayOps.strides(x.shape)
    let count = axes.reduce(1) { $0 * x.shape[$1] }
    var output: [[UInt8]] = []
    for coordinate in ArrayOps.allIndices(kept.map { x.shape[$0] }) {
      let base = zip(kept, coordinate).reduce(0) { $0 + $1.1 * strides[$1.0] }
      var joined: [UInt8] = []
      for index in 0..<count {
        var rest = index
        var offset = base
        for axis in axes {
          offset += (rest % x.shape[axis]) * strides[axis]
          rest /= x.shape[axis]
        }
        if index > 0 { joined += separator }
        joined += strings[offset]
      }
      output.append(joined)
    }
    if kept.isEmpty && output.isEmpty { output = [[]] }
    try context.checkStringBytes(Int64(output.reduce(0) { $0 + $1.count }), of: "the joined strings")
    return [.tensor(Tensor(strings: output, shape: shape))]
  }

  /// A tensor's values as TensorFlow's `SummarizeValue` prints them for `StringFormat` (its
  /// "v2" form): nested brackets, rows on new lines, the first and last `limit` entries of each
  /// dimension with `...` between, strings quoted.
  static func summaryV2(_ tensor: Tensor, limit summarize: Int, _ context: OpContext) throws(InferenceError) -> String {
    let texts = try elementTexts(tensor, quoted: true, context)
    if tensor.rank == 0 { return texts.first ?? "" }
    let ends = summarize < 0 ? texts.count : min(summarize, texts.count)
    let rank = tensor.rank
    var result = ""
    func spacing(_ axis: Int) {
      if axis == rank - 1 {
        result += " "
        return
      }
      result += String(repeating: "\n", count: rank - axis - 1) + String(repeating: " ", count: axis + 1)
    }
    func dimension(_ axis: Int, _ start: Int) {
      if axis == rank {
        result += texts[start]
        return
      }
      result += "["
      let count = tensor.shape[axis]
      let startOfEnd = max(ends, count - ends)
      let step = tensor.shape[(axis + 1)...].reduce(1, *)
      for i in 0..<min(ends, count) {
        if i > 0 { spacing(axis) }
        dimension(axis + 1, start + step * i)
      }
      if count > 2 * ends {
        spacing(axis)
        result += "..."
      }
      for i in startOfEnd..<max(count, startOfEnd) {
        spacing(axis)
        dimension(axis + 1, start + step * i)
      }
      result += "]"
    }
    dimension(0, 0)
    return result
  }

  /// Each element as TensorFlow's `PrintOneElement` writes it: numbers as `%g` (six significant
  /// digits), bools as 1 or 0, strings C-escaped (and quoted in the v2 form).
  static func elementTexts(_ tensor: Tensor, quoted: Bool, _ context: OpContext) throws(InferenceError) -> [String] {
    switch tensor.dtype {
    case .string:
      return try context.run { try tensor.strings() }.map { bytes in
        let escaped = bytes.map { byte -> String in
          switch byte {
          case 0x0A: "\\n"
          case 0x09: "\\t"
          case 0x0D: "\\r"
          case 0x22: "\\\""
          case 0x27: "\\'"
          case 0x5C: "\\\\"
          case 0x20...0x7E, 0x80...: String(UnicodeScalar(byte))
          default: String(format: "\\%03o", byte)
          }
        }.joined()
        return quoted ? "\"" + escaped + "\"" : escaped
      }
    case .bool: return try context.run { try tensor.bools() }.map { $0 ? "1" : "0" }
    default:
      switch try Widened(tensor, context) {
      case .floating(let values): return values.map { String(format: "%g", $0) }
      case .signed(let values): return values.map(String.init)
      case .unsigned(let values): return values.map(String.init)
      }
    }
  }

  /// A tensor's values as TensorFlow's legacy `SummarizeValue` prints them for `Assert`: at
  /// most `limit` elements, rows in brackets, `...` when some were left out; strings C-escaped.
  static func summary(_ tensor: Tensor, limit: Int, _ context: OpContext) throws(InferenceError) -> String {
    let texts = try elementTexts(tensor, quoted: false, context)
    let limit = limit < 0 ? texts.count : limit
    if tensor.rank == 0 || limit == 1 { return texts.first ?? "" }
    var result = ""
    var next = 0
    func dimension(_ axis: Int) {
      guard next < limit else { return }
      if axis == tensor.rank - 1 {
        for i in 0..<tensor.shape[axis] {
          guard next < limit else {
            // A row cut short says so, except in a vector (the whole summary says it).
            if axis != 0 { result += "..." }
            return
          }
          if i > 0 { result += " " }
          result += texts[next]
          next += 1
        }
        return
      }
      for _ in 0..<tensor.shape[axis] {
        let opened = next < limit
        if opened { result += "[" }
        dimension(axis + 1)
        if next < limit || opened { result += "]" }
      }
    }
    dimension(0)
    if texts.count > limit { result += "..." }
    return result
  }
}
