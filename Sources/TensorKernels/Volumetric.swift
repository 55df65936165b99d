/// 3-D convolution, its transpose, and 3-D pooling over NDHWC tensors, built on the 2-D kernels.
///
/// A window over depth × height × width is a sum (or maximum, or mean) over its depth offsets of
/// 2-D windows: for each depth offset `kd` the input planes each output depth sees at that offset
/// are gathered into one batch of NHWC images (a zero plane where the offset falls in the depth
/// padding), the tested 2-D kernel runs on the whole batch, and the results are combined across
/// offsets. So the height/width rules (SAME/VALID, strides, dilations, grouped filters, padded
/// positions skipped by pooling) are exactly the 2-D ones, and depth follows the same formulas
/// (`Padding`). Half-precision inputs are computed in float32 and rounded once at the end.
///
/// Tolerance class: rounding (sums in another order than TensorFlow's), `maxPool3D` exact.
public enum Volumetric {
  /// Where each output depth's window starts, for one depth kernel.
  struct DepthWindow {
    let input: Int
    let kernel: Int
    let stride: Int
    let dilation: Int
    let output: Int
    let padBefore: Int

    /// The input depth output depth `od` reads at kernel offset `kd`, or nil in the padding.
    func source(output od: Int, offset kd: Int) -> Int? {
      let index = od * stride + kd * dilation - padBefore
      return index >= 0 && index < input ? index : nil
    }
  }

  /// TensorFlow's window arithmetic for the depth dimension (`Padding` documents the formulas).
  static func depthWindow(
    op: String, input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding
  ) throws(TensorError) -> DepthWindow {
    guard stride > 0, dilation > 0 else {
      throw .invalidArgument(op: op, reason: "depth stride and dilation must be positive")
    }
    guard kernel > 0 else { throw .invalidArgument(op: op, reason: "the depth window must not be empty") }
    let (span, spanOverflow) = (kernel - 1).multipliedReportingOverflow(by: dilation)
    guard !spanOverflow, span < Int.max - 1 else {
      throw .invalidArgument(op: op, reason: "the depth window is too large")
    }
    let effective = span + 1
    switch padding {
    case .valid:
      let output = input >= effective ? (input - effective) / stride + 1 : 0
      return DepthWindow(
        input: input, kernel: kernel, stride: stride, dilation: dilation, output: output, padBefore: 0)
    case .same:
      let output = (input + stride - 1) / stride
      let needed = Swift.max(0, (Swift.max(output, 1) - 1) * stride + effective - input)
      return DepthWindow(
        input: input, kernel: kernel, stride: stride, dilation: dilation, output: output, padBefore: needed / 2)
    case .explicit:
      throw .invalidArgument(op: op, reason: "explicit padding is not supported for 3-D windows")
    }
  }

  /// Checks a 5-value `strides`/`ksize`/`dilations` attribute: positive, 1 for batch and channels.
  static func spatial(_ values: [Int], _ name: String, op: String) throws(TensorError) -> (Int, Int, Int) {
    guard values.count == 5, values.allSatisfy({ $0 > 0 }), values[0] == 1, values[4] == 1 else {
      throw .invalidArgument(
        op: op, reason: "\(name) must be 5 positive values with 1 for batch and channels, got \(values)")
    }
    return (values[1], values[2], values[3])
  }

  /// The input planes `window` reads at depth offset `kd`, as `[batch · outDepth, height, width,
  /// channels]` (zero planes in the padding), and which of them are real.
  static func planes(_ input: Tensor, _ window: DepthWindow, offset kd: Int) -> (Tensor, real: [Bool]) {
    let (batch, height, width, channels) = (input.shape[0], input.shape[2], input.shape[3], input.shape[4])
    var real = [Bool](repeating: false, count: batch * window.output)
    for b in 0..<batch {
      for od in 0..<window.output where window.source(output: od, offset: kd) != nil {
        real[b * window.output + od] = true
      }
    }
    let shape = [batch * window.output, height, width, channels]
    let plane = height * width * channels
    func gather<T: TensorElement>(_: T.Type) -> Tensor {
      input.withElements(T.self) { source in
        Tensor.make(T.self, shape: shape) { destination in
          guard plane > 0 else { return }
          for b in 0..<batch {
            for od in 0..<window.output {
              guard let id = window.source(output: od, offset: kd) else { continue }
              let from = (b * window.input + id) * plane
              let to = (b * window.output + od) * plane
              for i in 0..<plane { destination[to + i] = source[from + i] }
            }
          }
        }
      }
    }
    return (input.dtype == .float64 ? gather(Double.self) : gather(Float.self), real)
  }

  /// Runs `body` on the input widened to float32 when it is half precision, and narrows back.
  static func widening(
    _ tensors: [Tensor], op: String, _ body: ([Tensor]) throws(TensorError) -> Tensor
  ) throws(TensorError) -> Tensor {
    guard let dtype = tensors.first?.dtype else { return try body(tensors) }
    for tensor in tensors where tensor.dtype != dtype { throw .dtypeMismatch(op: op, dtype, tensor.dtype) }
    switch dtype {
    case .float32, .float64: return try body(tensors)
    case .float16, .bfloat16: return try body(tensors.map { $0.widenedToFloat32() }).narrowed(to: dtype)
    default: throw .unsupportedDType(op: op, dtype)
    }
  }

  /// Combines per-offset results: the sum (`mean: false`), or the mean over real planes.
  static func combine(
    _ parts: [(Tensor, real: [Bool])], shape: [Int], maximum: Bool = false, mean: Bool = false
  ) -> Tensor {
    func run<T: TensorElement & BinaryFloatingPoint>(_: T.Type) -> Tensor {
      Tensor.make(T.self, shape: shape) { output in
        let planeCount = parts.first?.real.count ?? 0
        let plane = planeCount > 0 ? output.count / planeCount : 0
        var counts = [Int](repeating: 0, count: planeCount)
        var started = [Bool](repeating: false, count: planeCount)
        for (tensor, real) in parts {
          tensor.withElements(T.self) { values in
            for p in 0..<planeCount where real[p] || !(maximum || mean) {
              counts[p] += 1
              let base = p * plane
              if maximum, !started[p] {
                for i in 0..<plane { output[base + i] = values[base + i] }
              } else if maximum {
                for i in 0..<plane where values[base + i] > output[base + i] { output[base + i] = values[base + i] }
              } else {
                for i in 0..<plane { output[base + i] += values[base + i] }
              }
              started[p] = true
            }
          }
        }
        if mean {
          for p in 0..<planeCount where counts[p] > 1 {
            let divisor = T(counts[p])
            for i in (p * plane)..<((p + 1) * plane) { output[i] /= divisor }
          }
        }
      }
    }
    return parts.first?.0.dtype == .float64 ? run(Double.self) : run(Float.self)
  }

  /// Convolves an NDHWC input with a DHWIO filter.
  ///
  /// Corresponds to the TensorFlow op `Conv3D` with `data_format` `NDHWC`.
  ///
  /// - Parameters:
  ///   - input: `[batch, depth, height, width, inChannels]`.
  ///   - filter: `[kernelDepth, kernelHeight, kernelWidth, inChannels, outChannels]`; a filter
  ///     input depth that divides the input's makes a grouped convolution, as in `Conv2D`.
  ///   - strides, dilations: five values, 1 for batch and channels.
  ///   - padding: `same` or `valid`.
  /// - Returns: `[batch, outDepth, outHeight, outWidth, outChannels]`.
  /// - Throws: `TensorError.invalidShape` when an operand is not 5-D or the depths disagree,
  ///   `.invalidArgument` for bad strides, dilations or padding, `.unsupportedDType` for
  ///   non-float dtypes.
  public static func conv3D(
    _ input: Tensor, filter: Tensor, strides: [Int], padding: Padding, dilations: [Int] = [1, 1, 1, 1, 1]
  ) throws(TensorError) -> Tensor {
    let op = "Conv3D"
    guard input.rank == 5, filter.rank == 5 else {
      throw .invalidShape(op: op, shape: input.rank == 5 ? filter.shape : input.shape, reason: "operands must be 5-D")
    }
    let (strideD, strideH, strideW) = try spatial(strides, "strides", op: op)
    let (dilationD, dilationH, dilationW) = try spatial(dilations, "dilations", op: op)
    return try widening([input, filter], op: op) { (operands) throws(TensorError) -> Tensor in
      let (x, w) = (operands[0], operands[1])
      let depth = try depthWindow(
        op: op, input: x.shape[1], kernel: w.shape[0], stride: strideD, dilation: dilationD, padding: padding)
      var parts: [(Tensor, real: [Bool])] = []
      for kd in 0..<w.shape[0] {
        let (planes, real) = planes(x, depth, offset: kd)
        let weights = try Rearrange.slice(
          w, begin: [kd, 0, 0, 0, 0], strides: [1, 1, 1, 1, 1], shape: [1] + Array(w.shape.dropFirst())
        ).reshaped(to: Array(w.shape.dropFirst()))
        let result = try Conv2D.apply(
          planes, filter: weights, strides: [1, strideH, strideW, 1], padding: padding,
          dilations: [1, dilationH, dilationW, 1])
        parts.append((result, real))
      }
      let out = parts[0].0.shape
      return combine(parts, shape: [x.shape[0], depth.output, out[1], out[2], out[3]])
    }
  }

  /// The gradient of `conv3D` with respect to its input: Keras's `Conv3DTranspose`.
  ///
  /// Corresponds to the TensorFlow ops `Conv3DBackpropInputV2` (and `Conv3DBackpropInput`,
  /// whose `input` gives the sizes), `data_format` `NDHWC`.
  ///
  /// - Parameters:
  ///   - inputSizes: the forward input's shape, five non-negative values.
  ///   - filter: `[kernelDepth, kernelHeight, kernelWidth, inChannels, outChannels]`.
  ///   - outputBackprop: the forward output's shape.
  ///   - strides, padding, dilations: the forward convolution's.
  /// - Returns: a tensor of `inputSizes`.
  public static func conv3DBackpropInput(
    inputSizes: [Int], filter: Tensor, outputBackprop: Tensor, strides: [Int], padding: Padding,
    dilations: [Int] = [1, 1, 1, 1, 1]
  ) throws(TensorError) -> Tensor {
    let op = "Conv3DBackpropInputV2"
    guard inputSizes.count == 5, inputSizes.allSatisfy({ $0 >= 0 }) else {
      throw .invalidArgument(op: op, reason: "input_sizes must be 5 non-negative values, got \(inputSizes)")
    }
    guard filter.rank == 5, outputBackprop.rank == 5 else {
      throw .invalidShape(op: op, shape: filter.shape, reason: "filter and out_backprop must be 5-D")
    }
    try Shape.checkAllocation(inputSizes, dtype: filter.dtype, op: op)
    let (strideD, strideH, strideW) = try spatial(strides, "strides", op: op)
    let (dilationD, dilationH, dilationW) = try spatial(dilations, "dilations", op: op)
    return try widening([filter, outputBackprop], op: op) { (operands) throws(TensorError) -> Tensor in
      let (w, gradient) = (operands[0], operands[1])
      let depth = try depthWindow(
        op: op, input: inputSizes[1], kernel: w.shape[0], stride: strideD, dilation: dilationD, padding: padding)
      guard gradient.shape[0] == inputSizes[0], gradient.shape[1] == depth.output else {
        throw .invalidShape(
          op: op, shape: gradient.shape,
          reason: "out_backprop's batch and depth must be \(inputSizes[0]) and \(depth.output) for input "
            + Shape.format(inputSizes))
      }
      let (batch, outDepth) = (inputSizes[0], depth.output)
      let planes = try gradient.reshaped(
        to: [batch * outDepth, gradient.shape[2], gradient.shape[3], gradient.shape[4]])
      let planeSizes = [batch * outDepth, inputSizes[2], inputSizes[3], inputSizes[4]]
      var parts: [(kd: Int, Tensor)] = []
      for kd in 0..<w.shape[0] {
        let weights = try Rearrange.slice(
          w, begin: [kd, 0, 0, 0, 0], strides: [1, 1, 1, 1, 1], shape: [1] + Array(w.shape.dropFirst())
        ).reshaped(to: Array(w.shape.dropFirst()))
        parts.append(
          (
            kd,
            try Conv2DBackpropInput.apply(
              inputSizes: planeSizes, filter: weights, outputBackprop: planes, strides: [1, strideH, strideW, 1],
              padding: padding, dilations: [1, dilationH, dilationW, 1])
          ))
      }
      // Each output plane's contribution lands on the input depth its window read at that offset.
      func scatter<T: TensorElement & BinaryFloatingPoint>(_: T.Type) -> Tensor {
        Tensor.make(T.self, shape: inputSizes) { output in
          let plane = inputSizes[2] * inputSizes[3] * inputSizes[4]
          guard plane > 0 else { return }
          for (kd, part) in parts {
            part.withElements(T.self) { values in
              for b in 0..<batch {
                for od in 0..<outDepth {
                  guard let id = depth.source(output: od, offset: kd) else { continue }
                  let from = (b * outDepth + od) * plane
                  let to = (b * inputSizes[1] + id) * plane
                  for i in 0..<plane { output[to + i] += values[from + i] }
                }
              }
            }
          }
        }
      }
      return w.dtype == .float64 ? scatter(Double.self) : scatter(Float.self)
    }
  }

  /// The largest element of each 3-D window, per channel, ignoring NaN and padded positions as
  /// `Pooling.maxPool` does.
  ///
  /// Corresponds to the TensorFlow op `MaxPool3D` with `data_format` `NDHWC`.
  public static func maxPool3D(
    _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding
  ) throws(TensorError) -> Tensor {
    try pool3D("MaxPool3D", input, ksize: ksize, strides: strides, padding: padding, average: false)
  }

  /// The mean of the real (unpadded) elements of each 3-D window, per channel.
  ///
  /// Corresponds to the TensorFlow op `AvgPool3D` with `data_format` `NDHWC`.
  public static func avgPool3D(
    _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding
  ) throws(TensorError) -> Tensor {
    try pool3D("AvgPool3D", input, ksize: ksize, strides: strides, padding: padding, average: true)
  }

  private static func pool3D(
    _ op: String, _ input: Tensor, ksize: [Int], strides: [Int], padding: Padding, average: Bool
  ) throws(TensorError) -> Tensor {
    guard input.rank == 5 else { throw .invalidShape(op: op, shape: input.shape, reason: "input must be 5-D (NDHWC)") }
    let (kernelD, kernelH, kernelW) = try spatial(ksize, "ksize", op: op)
    let (strideD, strideH, strideW) = try spatial(strides, "strides", op: op)
    return try widening([input], op: op) { (operands) throws(TensorError) -> Tensor in
      let x = operands[0]
      let depth = try depthWindow(
        op: op, input: x.shape[1], kernel: kernelD, stride: strideD, dilation: 1, padding: padding)
      var parts: [(Tensor, real: [Bool])] = []
      for kd in 0..<kernelD {
        let (planes, real) = planes(x, depth, offset: kd)
        let window = [1, kernelH, kernelW, 1]
        let stride = [1, strideH, strideW, 1]
        let result =
          average
          ? try Pooling.avgPool(planes, ksize: window, strides: stride, padding: padding)
          : try Pooling.maxPool(planes, ksize: window, strides: stride, padding: padding)
        parts.append((result, real))
      }
      let out = parts[0].0.shape
      return combine(
        parts, shape: [x.shape[0], depth.output, out[1], out[2], out[3]], maximum: !average, mean: average)
    }
  }
}
