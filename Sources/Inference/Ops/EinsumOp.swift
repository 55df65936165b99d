import TensorKernels

/// `Einsum` with one or two operands and no ellipsis, as Keras's EinsumDense and
/// MultiHeadAttention write it (`abc,cde->abde`, `aecd,abcd->acbe`, …).
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

  static func evaluate(_ equation: String, _ operands: [Tensor], _ context: OpContext) throws(InferenceError) -> Tensor {
    guard !equation.contains("."), let arrow = equation.range(of: "->") else {
      throw InferenceError(.unsupported, "\(context.where_): einsum \"\(equation)\" (ellipsis and implicit output are not supported yet)")
    }
    let inputs = equation[..<arrow.lowerBound].split(separator: ",").map { Array($0) }
    let output = Array(equation[arrow.upperBound...])
    guard inputs.count == operands.count, (1...2).contains(inputs.count) else {
      throw InferenceError(.unsupported, "\(context.where_): einsum with \(operands.count) operands")
    }
    for (labels, operand) in zip(inputs, operands) where labels.count != operand.rank || Set(labels).count != labels.count {
      throw InferenceError(.unsupported, "\(context.where_): einsum \"\(equation)\" on shape \(Shape.format(operand.shape)) (repeated labels are not supported)")
    }
    // Sum out labels that appear in one operand only and not in the output.
    var labelsList = inputs
    var tensors = operands
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
        throw InferenceError(.unsupported, "\(context.where_): einsum \"\(equation)\"")
      }
      return try ArrayOps.permute(tensors[0], output.compactMap { labelsList[0].firstIndex(of: $0) }, context)
    }
    let (a, b) = (labelsList[0], labelsList[1])
    var sizes: [Character: Int] = [:]
    for (labels, tensor) in zip([a, b], tensors) {
      for (label, size) in zip(labels, tensor.shape) {
        if let known = sizes[label], known != size, known != 1, size != 1 {
          throw InferenceError(.failed, "\(context.where_): label \(label) is \(known) in one operand and \(size) in the other")
        }
        sizes[label] = max(sizes[label] ?? size, size)
      }
    }
    let batch = a.filter { b.contains($0) && output.contains($0) }
    let contracted = a.filter { b.contains($0) && !output.contains($0) }
    let freeA = a.filter { !b.contains($0) }
    let freeB = b.filter { !a.contains($0) }
    guard Set(output) == Set(batch + freeA + freeB) else {
      throw InferenceError(.unsupported, "\(context.where_): einsum \"\(equation)\"")
    }
    func product(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * (sizes[$1] ?? 1) } }
    let left = try ArrayOps.permute(tensors[0], (batch + freeA + contracted).compactMap { a.firstIndex(of: $0) }, context)
    let right = try ArrayOps.permute(tensors[1], (batch + contracted + freeB).compactMap { b.firstIndex(of: $0) }, context)
    let (batchSize, m, k, n) = (product(batch), product(freeA), product(contracted), product(freeB))
    let result = try context.run {
      try BatchMatMul.apply(try left.reshaped(to: [batchSize, m, k]), try right.reshaped(to: [batchSize, k, n]))
    }
    let produced = batch + freeA + freeB
    let shaped = try context.run { try result.reshaped(to: produced.map { sizes[$0] ?? 1 }) }
    return try ArrayOps.permute(shaped, output.compactMap { produced.firstIndex(of: $0) }, context)
  }
}
