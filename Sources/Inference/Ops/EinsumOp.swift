import TensorKernels

/// `Einsum` with one or two operands, as Keras's EinsumDense and MultiHeadAttention write it
/// (`abc,cde->abde`, `aecd,abcd->acbe`, …) and in general: `...` with broadcasting, repeated
/// labels (diagonals, `ii->i`), implicit outputs.
///
/// Two operands become one batched matrix product: labels in both operands and the output are
/// batch dimensions, labels in both operands only are contracted, the rest belong to one side.
/// Each operand is transposed to `[batch…, free…, contracted…]` (the second to
/// `[batch…, contracted…, free…]`), reshaped to 3-D, multiplied with `BatchMatMul`, and the
/// result reshaped and transposed to the output's label order. Labels that appear in one operand
/// only and not in the output are summed out first.
enum EinsumOp {
  static func register(into registry: inout OpRegistry) {
    registry.register("Einsum") { context throws(InferenceError) in
      let equation = try context.string("equation").replacingOccurrences(of: " ", with: "")
      let operands = try context.inputs.indices.map { index throws(InferenceError) in try context.tensor(index) }
      return [.tensor(try evaluate(equation, operands, context))]
    }
  }

  static func evaluate(_ equation: String, _ operands: [Tensor], _ context: OpContext) throws(InferenceError) -> Tensor
  {
    guard (1...2).contains(operands.count) else {
      throw InferenceError(.unsupported, "\(context.location): einsum with \(operands.count) operands")
    }
    let (inputs, output) = try parse(equation, ranks: operands.map(\.rank), context)
    // A label repeated within one operand takes that operand's diagonal (`ii->i`).
    var labelsList = inputs
    var tensors = operands
    for side in tensors.indices where Set(labelsList[side]).count != labelsList[side].count {
      (tensors[side], labelsList[side]) = try diagonal(tensors[side], labelsList[side], context)
    }
    // Sum out labels that appear in one operand only and not in the output.
    for side in tensors.indices {
      let others = Set(labelsList.enumerated().filter { $0.offset != side }.flatMap(\.element) + output)
      let lonely = labelsList[side].enumerated().filter { !others.contains($0.element) }.map(\.offset)
      if !lonely.isEmpty {
        let tensor = tensors[side]
        tensors[side] = try context.run { try Reduction.apply(.sum, tensor, axes: lonely, keepDims: false) }
        labelsList[side] = labelsList[side].enumerated().filter { !lonely.contains($0.offset) }.map(\.element)
      }
    }
    if tensors.count == 1 {
      guard Set(labelsList[0]) == Set(output) else {
        throw InferenceError(.unsupported, "\(context.location): einsum \"\(equation)\"")
      }
      return try ArrayOps.permute(tensors[0], output.compactMap { labelsList[0].firstIndex(of: $0) }, context)
    }
    let (a, b) = (labelsList[0], labelsList[1])
    var sizes: [Character: Int] = [:]
    for (labels, tensor) in zip([a, b], tensors) {
      for (label, size) in zip(labels, tensor.shape) {
        if let known = sizes[label], known != size, known != 1, size != 1 {
          throw InferenceError(
            .invalidArgument, "\(context.location): label \(label) is \(known) in one operand and \(size) in the other")
        }
        sizes[label] = max(sizes[label] ?? size, size)
      }
    }
    // A shared label of size 1 on one side broadcasts against the other (ellipsis batch axes).
    for (side, labels) in [(0, a), (1, b)] {
      let multiples = zip(labels, tensors[side].shape).map { label, size in size == 1 ? (sizes[label] ?? 1) : 1 }
      if multiples.contains(where: { $0 != 1 }) { tensors[side] = try ArrayOps.tile(tensors[side], multiples, context) }
    }
    let batch = a.filter { b.contains($0) && output.contains($0) }
    let contracted = a.filter { b.contains($0) && !output.contains($0) }
    let freeA = a.filter { !b.contains($0) }
    let freeB = b.filter { !a.contains($0) }
    guard Set(output) == Set(batch + freeA + freeB) else {
      throw InferenceError(.unsupported, "\(context.location): einsum \"\(equation)\"")
    }
    func product(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * (sizes[$1] ?? 1) } }
    let left = try ArrayOps.permute(
      tensors[0], (batch + freeA + contracted).compactMap { a.firstIndex(of: $0) }, context)
    let right = try ArrayOps.permute(
      tensors[1], (batch + contracted + freeB).compactMap { b.firstIndex(of: $0) }, context)
    let (batchSize, m, k, n) = (product(batch), product(freeA), product(contracted), product(freeB))
    let result = try context.run {
      try BatchMatMul.apply(try left.reshaped(to: [batchSize, m, k]), try right.reshaped(to: [batchSize, k, n]))
    }
    let produced = batch + freeA + freeB
    let shaped = try context.run { try result.reshaped(to: produced.map { sizes[$0] ?? 1 }) }
    return try ArrayOps.permute(shaped, output.compactMap { produced.firstIndex(of: $0) }, context)
  }

  /// Splits an equation into each operand's labels and the output's, with `...` expanded into
  /// one private label per broadcast axis (aligned at the right, as NumPy does) and an implicit
  /// output (no `->`) made of the ellipsis axes and the labels used once, in alphabetical order.
  static func parse(_ equation: String, ranks: [Int], _ context: OpContext) throws(InferenceError) -> (
    [[Character]], [Character]
  ) {
    let parts = equation.components(separatedBy: "->")
    guard parts.count <= 2 else {
      throw InferenceError(.invalidArgument, "\(context.location): einsum \"\(equation)\" has more than one ->")
    }
    let terms = parts[0].components(separatedBy: ",")
    guard terms.count == ranks.count else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): einsum \"\(equation)\" names \(terms.count) operands, got \(ranks.count)")
    }
    func named(_ term: String) -> [Character] { Array(term.replacingOccurrences(of: "...", with: "")) }
    for term in terms + parts.dropFirst() {
      guard named(term).allSatisfy({ $0.isLetter && $0.isASCII }), term.components(separatedBy: "...").count <= 2 else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): einsum \"\(equation)\": \"\(term)\" is not a list of letters with at most one ...")
      }
    }
    var ellipsisRanks: [Int] = []
    for (term, rank) in zip(terms, ranks) {
      let extra = rank - named(term).count
      guard extra >= 0, extra == 0 || term.contains("...") else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): einsum \"\(equation)\": \"\(term)\" does not fit an operand of rank \(rank)")
      }
      ellipsisRanks.append(term.contains("...") ? extra : 0)
    }
    let broadcastRank = ellipsisRanks.max() ?? 0
    let ellipsisLabels = (0..<broadcastRank).map { Character(Unicode.Scalar(0xE000 + $0)!) }
    func expand(_ term: String, _ count: Int) -> [Character] {
      guard let range = term.range(of: "...") else { return Array(term) }
      return Array(term[..<range.lowerBound]) + ellipsisLabels.suffix(count) + Array(term[range.upperBound...])
    }
    let inputs = zip(terms, ellipsisRanks).map { expand($0, $1) }
    let output: [Character]
    if parts.count == 2 {
      output = expand(parts[1], broadcastRank)
    } else {
      let counts = Dictionary(inputs.flatMap { $0 }.map { ($0, 1) }, uniquingKeysWith: +)
      output = ellipsisLabels + counts.filter { $0.value == 1 && $0.key.isASCII }.keys.sorted()
    }
    return (inputs, output)
  }

  /// The operand with each repeated label's axes merged into one, keeping the elements where
  /// their indices agree.
  static func diagonal(_ x: Tensor, _ labels: [Character], _ context: OpContext) throws(InferenceError) -> (
    Tensor, [Character]
  ) {
    var unique: [Character] = []
    for label in labels where !unique.contains(label) { unique.append(label) }
    var sizes: [Character: Int] = [:]
    for (label, size) in zip(labels, x.shape) {
      if let known = sizes[label], known != size {
        throw InferenceError(
          .invalidArgument, "\(context.location): label \(label) is repeated with sizes \(known) and \(size)")
      }
      sizes[label] = size
    }
    let shape = unique.map { sizes[$0] ?? 1 }
    let strides = ArrayOps.strides(x.shape)
    let indices = ArrayOps.allIndices(shape).map { position in
      labels.enumerated().reduce(0) { sum, axis in
        sum + position[unique.firstIndex(of: axis.element)!] * strides[axis.offset]
      }
    }
    return (try Elements(x).gather(indices).tensor(shape, context), unique)
  }
}
