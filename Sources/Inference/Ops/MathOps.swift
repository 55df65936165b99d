import TensorKernels

/// Elementwise, matrix, reduction and activation ops, adapted onto `TensorKernels`.
enum MathOps {
  static func register(into registry: inout OpRegistry) {
    for op in BinaryOp.allCases {
      let names = op == .add ? ["Add", "AddV2"] : [op.tensorFlowName]
      for name in names {
        registry.register(name) { context throws(InferenceError) in
          let x = try context.tensor(0)
          let y = try context.tensor(1)
          return [.tensor(try context.run { try Elementwise.apply(op, x, y) })]
        }
      }
    }
    for name in [
      "Neg", "Abs", "Square", "Sign", "Exp", "Expm1", "Log", "Log1p", "Sqrt", "Rsqrt", "Reciprocal", "Inv", "Floor",
      "Ceil",
      "Round", "Erf", "Tanh", "Sigmoid", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus",
    ] {
      registry.register(name) { context throws(InferenceError) in
        let alpha = try context.float("alpha", default: 0.2)
        guard let op = UnaryOp(tensorFlowName: name, alpha: alpha) else {
          throw InferenceError(.unsupported, "\(context.location): no kernel")
        }
        let x = try context.tensor(0)
        return [.tensor(try context.run { try Elementwise.apply(op, x) })]
      }
    }
    for op in ComparisonOp.allCases {
      registry.register(op.tensorFlowName) { context throws(InferenceError) in
        let x = try context.tensor(0)
        let y = try context.tensor(1)
        return [.tensor(try context.run { try Comparison.apply(op, x, y) })]
      }
    }
    registry.register("LogicalAnd") { context throws(InferenceError) in
      let (x, y) = (try context.tensor(0), try context.tensor(1))
      return [.tensor(try context.run { try Logical.and(x, y) })]
    }
    registry.register("LogicalOr") { context throws(InferenceError) in
      let (x, y) = (try context.tensor(0), try context.tensor(1))
      return [.tensor(try context.run { try Logical.or(x, y) })]
    }
    registry.register("LogicalNot") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try context.run { try Logical.not(x) })]
    }
    registry.register("Select") { context throws(InferenceError) in
      let (c, x, y) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
      return [.tensor(try context.run { try Select.apply(condition: c, x, y) })]
    }
    registry.register("SelectV2") { context throws(InferenceError) in
      let (c, x, y) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
      return [.tensor(try context.run { try Select.applyV2(condition: c, x, y) })]
    }
    registry.register("Erfc") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try context.run { try Erfc.apply(x) })]
    }
    registry.register("ClipByValue") { context throws(InferenceError) in
      let (x, low, high) = (try context.tensor(0), try context.tensor(1), try context.tensor(2))
      return [
        .tensor(try context.run { try Elementwise.apply(.minimum, try Elementwise.apply(.maximum, x, low), high) })
      ]
    }
    registry.register("Cast") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let target = try context.dtype("DstT")
      return [.tensor(try context.run { try Cast.apply(x, to: target) })]
    }
    registry.register("MatMul") { context throws(InferenceError) in
      let (a, b) = (try context.tensor(0), try context.tensor(1))
      let (ta, tb) = (try context.bool("transpose_a"), try context.bool("transpose_b"))
      return [.tensor(try context.run { try MatMul.apply(a, b, transposeA: ta, transposeB: tb) })]
    }
    for name in ["BatchMatMulV2", "BatchMatMulV3", "BatchMatMul"] {
      registry.register(name) { context throws(InferenceError) in
        let (x, y) = (try context.tensor(0), try context.tensor(1))
        let (ax, ay) = (try context.bool("adj_x"), try context.bool("adj_y"))
        return [.tensor(try context.run { try BatchMatMul.apply(x, y, adjointX: ax, adjointY: ay) })]
      }
    }
    registry.register("BiasAdd") { context throws(InferenceError) in
      let (value, bias) = (try context.tensor(0), try context.tensor(1))
      let format = try context.string("data_format", default: "")
      if format != "NHWC" && format != "" {
        throw InferenceError(.unsupported, "\(context.location): data_format \(format) is not supported (NHWC only)")
      }
      return [.tensor(try context.run { try BiasAdd.apply(value, bias: bias) })]
    }
    registry.register("Softmax") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try context.run { try Softmax.softmax(x) })]
    }
    registry.register("LogSoftmax") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try context.run { try Softmax.logSoftmax(x) })]
    }
    for op in ReductionOp.allCases {
      registry.register(op.tensorFlowName) { context throws(InferenceError) in
        let x = try context.tensor(0)
        let axes = try ArrayOps.integers(try context.tensor(1), context)
        let keepDims = try context.bool("keep_dims")
        return [.tensor(try context.run { try Reduction.apply(op, x, axes: axes, keepDims: keepDims) })]
      }
    }
    registry.register("ArgMax") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let axis = try ArrayOps.integers(try context.tensor(1), context).first ?? 0
      let type = try context.dtype("output_type", default: .int64)
      return [.tensor(try context.run { try Reduction.argMax(x, axis: axis, outputType: type) })]
    }
    registry.register("ArgMin") { context throws(InferenceError) in
      let x = try context.tensor(0)
      let axis = try ArrayOps.integers(try context.tensor(1), context).first ?? 0
      let type = try context.dtype("output_type", default: .int64)
      return [.tensor(try context.run { try Reduction.argMin(x, axis: axis, outputType: type) })]
    }
  }
}
