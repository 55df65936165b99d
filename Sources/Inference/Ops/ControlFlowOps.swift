import TensorKernels

/// Functional control flow (`While`, `If`, `Case` and their stateless forms) and the tensor-list
/// ops Keras's recurrent layers use inside their loops.
enum ControlFlowOps {
  /// A loop that has not finished after this many iterations is reported, not run forever.
  static let iterationLimit = 10_000_000

  static func register(into registry: inout OpRegistry) {
    for name in ["While", "StatelessWhile"] {
      registry.register(name) { context throws(InferenceError) in
        let condition = try context.function("cond")
        let body = try context.function("body")
        var state = context.inputs
        for _ in 0..<iterationLimit {
          let verdict = try context.runtime.call(condition, state, from: context)
          guard let first = verdict.first else {
            throw InferenceError(.invalidArgument, "\(context.location): cond returned nothing")
          }
          if try !truth(try first.tensor(context.location), context) { return state }
          state = try context.runtime.call(body, state, from: context)
        }
        throw InferenceError(
          .invalidArgument, "\(context.location): loop did not end after \(iterationLimit) iterations")
      }
    }
    for name in ["If", "StatelessIf"] {
      registry.register(name) { context throws(InferenceError) in
        let branch = try truth(try context.tensor(0), context) ? "then_branch" : "else_branch"
        let function = try context.function(branch)
        return try context.runtime.call(function, Array(context.inputs.dropFirst()), from: context)
      }
    }
    for name in ["Case", "StatelessCase"] {
      registry.register(name) { context throws(InferenceError) in
        let branches = try context.functions("branches")
        var index = try ArrayOps.integers(try context.tensor(0), context).first ?? -1
        if index < 0 || index >= branches.count { index = branches.count - 1 }  // TF: out of range runs the last
        return try context.runtime.call(branches[index], Array(context.inputs.dropFirst()), from: context)
      }
    }

    registry.register("TensorListReserve") { context throws(InferenceError) in
      let shape = try elementShape(try context.tensor(0), context)
      let count = try ArrayOps.integers(try context.tensor(1), context).first ?? 0
      guard count >= 0 else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): The num_elements to reserve must be a non negative number, but got \(count)")
      }
      try context.checkCount(count, of: "list items", size: MemoryLayout<Tensor?>.stride)
      return [
        .list(
          TensorList(
            items: [Tensor?](repeating: nil, count: count), dtype: try context.dtype("element_dtype"),
            elementShape: shape))
      ]
    }
    registry.register("EmptyTensorList") { context throws(InferenceError) in
      [
        .list(
          TensorList(
            items: [], dtype: try context.dtype("element_dtype"),
            elementShape: try elementShape(try context.tensor(0), context)))
      ]
    }
    registry.register("TensorListFromTensor") { context throws(InferenceError) in
      let tensor = try context.tensor(0)
      guard tensor.rank >= 1 else {
        throw InferenceError(.invalidArgument, "\(context.location): needs a tensor of rank 1 or more")
      }
      // An empty tensor can still have a long first axis: one item each.
      try context.checkCount(tensor.shape[0], of: "list items", size: ArrayOps.outputOverhead)
      let parts = try ArrayOps.split(tensor, axis: 0, sizes: [Int](repeating: 1, count: tensor.shape[0]), context)
      let itemShape = Array(tensor.shape.dropFirst())
      let items = try parts.map { part throws(InferenceError) -> Tensor? in
        try context.run { try part.reshaped(to: itemShape) }
      }
      return [.list(TensorList(items: items, dtype: tensor.dtype, elementShape: itemShape))]
    }
    registry.register("TensorListGetItem") { context throws(InferenceError) in
      let list = try context.inputs[0].list(context.location)
      let index = try ArrayOps.integers(try context.tensor(1), context).first ?? 0
      guard index >= 0, index < list.items.count else {
        throw InferenceError(
          .invalidArgument, "\(context.location): index \(index) is outside the list's \(list.items.count) items")
      }
      if let item = list.items[index] { return [.tensor(item)] }
      return [.tensor(try zeros(list, requested: try elementShape(try context.tensor(2), context), context))]
    }
    registry.register("TensorListSetItem") { context throws(InferenceError) in
      var list = try context.inputs[0].list(context.location)
      let index = try ArrayOps.integers(try context.tensor(1), context).first ?? 0
      // `tf.TensorArray(dynamic_size=True)` grows its list to reach the index; the new items are
      // unset (read as zeros).
      if index >= list.items.count, try context.bool("resize_if_index_out_of_bounds") {
        let (count, overflow) = index.addingReportingOverflow(1)
        try context.checkCount(overflow ? Int.max : count, of: "list items", size: MemoryLayout<Tensor?>.stride)
        list.items += [Tensor?](repeating: nil, count: count - list.items.count)
      }
      guard index >= 0, index < list.items.count else {
        throw InferenceError(
          .invalidArgument, "\(context.location): index \(index) is outside the list's \(list.items.count) items")
      }
      list.items[index] = try context.tensor(2)
      return [.list(list)]
    }
    registry.register("TensorListPushBack") { context throws(InferenceError) in
      var list = try context.inputs[0].list(context.location)
      list.items.append(try context.tensor(1))
      return [.list(list)]
    }
    registry.register("TensorListLength") { context throws(InferenceError) in
      [.tensor(Tensor(int32: [Int32(try context.inputs[0].list(context.location).items.count)], shape: []))]
    }
    registry.register("TensorListElementShape") { context throws(InferenceError) in
      let list = try context.inputs[0].list(context.location)
      let shape = list.elementShape ?? []
      let type = try context.dtype("shape_type", default: .int32)
      return [.tensor(try ArrayOps.integerTensor(shape, type: type, context))]
    }
    registry.register("TensorListStack") { context throws(InferenceError) in
      let list = try context.inputs[0].list(context.location)
      let requested = try elementShape(try context.tensor(1), context)
      let items = try list.items.map { item throws(InferenceError) -> Tensor in
        if let item { return item }
        return try zeros(list, requested: requested, context)
      }
      guard !items.isEmpty else {
        let shape = [0] + ((requested ?? list.elementShape)?.map { max($0, 0) } ?? [])
        try context.checkOutput(shape, list.dtype)
        return [.tensor(try context.run { try Tensor(raw: [UInt8](), dtype: list.dtype, shape: shape) })]
      }
      let expanded = try items.map { item throws(InferenceError) in
        try context.run { try item.reshaped(to: [1] + item.shape) }
      }
      return [.tensor(try ArrayOps.concatenate(expanded, axis: 0, context))]
    }
  }

  /// A condition's truth, as TensorFlow reads it: a bool scalar, or a number not equal to zero.
  static func truth(_ tensor: Tensor, _ context: OpContext) throws(InferenceError) -> Bool {
    guard tensor.elementCount == 1 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): the condition has \(tensor.elementCount) elements, not one")
    }
    if tensor.dtype == .bool { return try context.run { try tensor.bools()[0] } }
    return try context.run { try Cast.apply(tensor, to: .bool).bools()[0] }
  }

  /// An element shape argument: a vector of sizes (`-1` unknown) or `-1` for unknown rank.
  static func elementShape(_ tensor: Tensor, _ context: OpContext) throws(InferenceError) -> [Int]? {
    let values = try ArrayOps.integers(tensor, context)
    return tensor.rank == 0 ? nil : values
  }

  /// An unset item reads as zeros (empty strings), when its shape is fully known. The shape is
  /// an input value, so it is checked against the limits first.
  static func zeros(_ list: TensorList, requested: [Int]?, _ context: OpContext) throws(InferenceError) -> Tensor {
    guard let shape = [requested, list.elementShape].compactMap({ $0 }).first(where: { !$0.contains(-1) }) else {
      throw InferenceError(.invalidArgument, "\(context.location): reads an unset item whose shape is not known")
    }
    try context.checkOutput(shape, list.dtype)
    let count = Shape.elementCount(shape)
    guard let size = list.dtype.elementSize else {
      return Tensor(strings: [[UInt8]](repeating: [], count: count), shape: shape)
    }
    // Zero of every dtype is all bits zero.
    return try context.run {
      try Tensor(raw: [UInt8](repeating: 0, count: count * size), dtype: list.dtype, shape: shape)
    }
  }
}
