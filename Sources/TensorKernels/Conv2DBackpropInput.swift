/// The transposed convolution Keras's `Conv2DTranspose` writes: TensorFlow's `Conv2DBackpropInput`.
///
/// Tolerance class: rounding (sums in another order than TensorFlow's).
public enum Conv2DBackpropInput {
  /// The gradient of a `Conv2D` with respect to its input: every element of `outputBackprop`
  /// scattered back through the filter onto the input positions its window covered.
  ///
  /// - Parameters:
  ///   - inputSizes: the forward input's shape, `[batch, height, width, inChannels]`.
  ///   - filter: `[kernelHeight, kernelWidth, inChannels, outChannels]`.
  ///   - outputBackprop: `[batch, outHeight, outWidth, outChannels]`, the forward output's shape.
  ///   - strides, padding, dilations: the forward convolution's.
  /// - Returns: a tensor of `inputSizes`, in the filter's dtype.
  /// - Throws: `TensorError.invalidShape` when the shapes do not describe one forward
  ///   convolution, `.invalidArgument` for bad strides, dilations or padding, `.unsupportedDType`
  ///   for non-float dtypes.
  /// - Complexity: O(batch · outHeight · outWidth · kernelHeight · kernelWidth · in · out).
  public static func apply(
    inputSizes: [Int], filter: Tensor, outputBackprop: Tensor, strides: [Int], padding: Padding,
    dilations: [Int] = [1, 1, 1, 1]
  ) throws(TensorError) -> Tensor {
    let op = "Conv2DBackpropInput"
    guard inputSizes.count == 4, inputSizes.allSatisfy({ $0 >= 0 }) else {
      throw .invalidArgument(op: op, reason: "input_sizes must be 4 non-negative values, got \(inputSizes)")
    }
    guard filter.rank == 4, outputBackprop.rank == 4 else {
      throw .invalidShape(op: op, shape: filter.shape, reason: "filter and out_backprop must be 4-D")
    }
    guard filter.dtype == outputBackprop.dtype else { throw .dtypeMismatch(op: op, filter.dtype, outputBackprop.dtype) }
    guard filter.dtype.isFloatingPoint else { throw .unsupportedDType(op: op, filter.dtype) }
    guard filter.shape[0] > 0, filter.shape[1] > 0 else {
      throw .invalidShape(op: op, shape: filter.shape, reason: "the kernel must not be empty")
    }
    let window = try Window2D(
      op: op, input: inputSizes, kernelHeight: filter.shape[0], kernelWidth: filter.shape[1], strides: strides,
      dilations: dilations, padding: padding)
    let (inChannels, outChannels) = (filter.shape[2], filter.shape[3])
    let expected = [inputSizes[0], window.outputHeight, window.outputWidth, outChannels]
    guard inChannels == inputSizes[3], outputBackprop.shape == expected else {
      throw .invalidShape(
        op: op, shape: outputBackprop.shape,
        reason:
          "out_backprop must be \(Shape.format(expected)) for input \(Shape.format(inputSizes)) and filter \(Shape.format(filter.shape))"
      )
    }
    try Shape.checkAllocation(inputSizes, dtype: filter.dtype, op: op)
    let weights = try Cast.apply(filter, to: .float64).doubles()
    let gradient = try Cast.apply(outputBackprop, to: .float64).doubles()
    let (batch, height, width) = (inputSizes[0], inputSizes[1], inputSizes[2])
    var input = [Double](repeating: 0, count: Shape.elementCount(inputSizes))
    for b in 0..<batch {
      for oy in 0..<window.outputHeight {
        for ox in 0..<window.outputWidth {
          let source = ((b * window.outputHeight + oy) * window.outputWidth + ox) * outChannels
          for ky in 0..<window.kernelHeight {
            let y = oy * window.strideHeight + ky * window.dilationHeight - window.rows.padBefore
            guard y >= 0, y < height else { continue }
            for kx in 0..<window.kernelWidth {
              let x = ox * window.strideWidth + kx * window.dilationWidth - window.columns.padBefore
              guard x >= 0, x < width else { continue }
              let target = ((b * height + y) * width + x) * inChannels
              let tap = (ky * window.kernelWidth + kx) * inChannels * outChannels
              for i in 0..<inChannels {
                var sum = 0.0
                for o in 0..<outChannels { sum += gradient[source + o] * weights[tap + i * outChannels + o] }
                input[target + i] += sum
              }
            }
          }
        }
      }
    }
    return try Cast.apply(Tensor(float64: input, shape: inputSizes), to: filter.dtype)
  }
}
