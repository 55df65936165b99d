import TensorKernels

/// Convolutions, pooling and batch normalisation (NHWC, and NDHWC for 3-D), adapted onto `TensorKernels`.
enum NeuralNetworkOps {
  static func register(into registry: inout OpRegistry) {
    for name in ["Conv2D", "DepthwiseConv2dNative"] {
      registry.register(name) { context throws(InferenceError) in [.tensor(try convolution(context))] }
    }
    for name in ["MaxPool", "AvgPool"] {
      registry.register(name) { context throws(InferenceError) in
        try requireNHWC(context)
        let input = try context.tensor(0)
        let padding = try self.padding(context)
        let (ksize, strides) = (try context.ints("ksize"), try context.ints("strides"))
        return [
          .tensor(
            try context.run {
              name == "MaxPool"
                ? try Pooling.maxPool(input, ksize: ksize, strides: strides, padding: padding)
                : try Pooling.avgPool(input, ksize: ksize, strides: strides, padding: padding)
            })
        ]
      }
    }
    registry.register("Conv3D") { context throws(InferenceError) in
      try requireNDHWC(context)
      let (input, filter) = (try context.tensor(0), try context.tensor(1))
      let padding = try self.padding(context)
      let strides = try context.ints("strides")
      let dilations = try self.dilations3D(context)
      return [
        .tensor(
          try context.run {
            try Volumetric.conv3D(input, filter: filter, strides: strides, padding: padding, dilations: dilations)
          })
      ]
    }
    // V2 takes the input's shape as a tensor; V1 takes a tensor of that shape.
    for name in ["Conv3DBackpropInputV2", "Conv3DBackpropInput"] {
      registry.register(name) { context throws(InferenceError) in
        try requireNDHWC(context)
        let first = try context.tensor(0)
        let sizes = name == "Conv3DBackpropInputV2" ? try ArrayOps.integers(first, context) : first.shape
        let (filter, gradient) = (try context.tensor(1), try context.tensor(2))
        let padding = try self.padding(context)
        let strides = try context.ints("strides")
        let dilations = try self.dilations3D(context)
        return [
          .tensor(
            try context.run {
              try Volumetric.conv3DBackpropInput(
                inputSizes: sizes, filter: filter, outputBackprop: gradient, strides: strides, padding: padding,
                dilations: dilations)
            })
        ]
      }
    }
    for name in ["MaxPool3D", "AvgPool3D"] {
      registry.register(name) { context throws(InferenceError) in
        try requireNDHWC(context)
        let input = try context.tensor(0)
        let padding = try self.padding(context)
        let (ksize, strides) = (try context.ints("ksize"), try context.ints("strides"))
        return [
          .tensor(
            try context.run {
              name == "MaxPool3D"
                ? try Volumetric.maxPool3D(input, ksize: ksize, strides: strides, padding: padding)
                : try Volumetric.avgPool3D(input, ksize: ksize, strides: strides, padding: padding)
            })
        ]
      }
    }
    for name in ["FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"] {
      registry.register(name) { context throws(InferenceError) in
        try requireNHWC(context)
        guard try !context.bool("is_training", default: true) else {
          throw InferenceError(.unsupported, "\(context.location): training-mode batch normalisation")
        }
        let (x, scale, offset, mean, variance) = (
          try context.tensor(0), try context.tensor(1), try context.tensor(2), try context.tensor(3),
          try context.tensor(4)
        )
        let epsilon = try context.float("epsilon", default: 0.0001)
        let y = try context.run {
          try BatchNorm.fusedInference(
            x, scale: scale, offset: offset, mean: mean, variance: variance, epsilon: epsilon)
        }
        // The other outputs (batch statistics, reserve space) are only used by training.
        return [.tensor(y), .tensor(mean), .tensor(variance), .tensor(mean), .tensor(variance), .tensor(mean)]
      }
    }
  }

  /// A `Conv2D` or `DepthwiseConv2dNative` node's result, with `epilogue` applied to it as it is
  /// made (see `EpilogueFusion`).
  static func convolution(_ context: OpContext, epilogue: ChannelEpilogue? = nil) throws(InferenceError) -> Tensor {
    try requireNHWC(context)
    let (input, filter) = (try context.tensor(0), try context.tensor(1))
    let padding = try self.padding(context)
    let strides = try context.ints("strides")
    let dilations = try self.dilations(context)
    return try context.run {
      context.node.op == "Conv2D"
        ? try Conv2D.apply(
          input, filter: filter, strides: strides, padding: padding, dilations: dilations, epilogue: epilogue)
        : try DepthwiseConv2D.apply(
          input, filter: filter, strides: strides, padding: padding, dilations: dilations, epilogue: epilogue)
    }
  }

  static func padding(_ context: OpContext) throws(InferenceError) -> Padding {
    let name = try context.string("padding")
    let explicit = try context.ints("explicit_paddings", default: [])
    return try context.run { try Padding(tensorFlowName: name, explicitPaddings: explicit) }
  }

  /// `dilations`, all ones when absent or empty (TensorFlow's default).
  static func dilations(_ context: OpContext) throws(InferenceError) -> [Int] {
    let dilations = try context.ints("dilations", default: [])
    return dilations.isEmpty ? [1, 1, 1, 1] : dilations
  }

  /// `dilations` of a 3-D convolution, all ones when absent or empty.
  static func dilations3D(_ context: OpContext) throws(InferenceError) -> [Int] {
    let dilations = try context.ints("dilations", default: [])
    return dilations.isEmpty ? [1, 1, 1, 1, 1] : dilations
  }

  static func requireNDHWC(_ context: OpContext) throws(InferenceError) {
    let format = try context.string("data_format", default: "")
    if !format.isEmpty, format != "NDHWC" {
      throw InferenceError(.unsupported, "\(context.location): data_format \(format) (only NDHWC is supported)")
    }
  }

  static func requireNHWC(_ context: OpContext) throws(InferenceError) {
    let format = try context.string("data_format", default: "")
    if !format.isEmpty, format != "NHWC" {
      throw InferenceError(.unsupported, "\(context.location): data_format \(format) (only NHWC is supported)")
    }
  }
}
