import Foundation

/// `ScaleAndTranslate`: resampling with a separable filter, what `tf.image.resize` writes for the
/// `lanczos3`, `lanczos5`, `gaussian` and `mitchellcubic` methods and for `antialias=True`
/// (bilinear as `triangle`, bicubic as `keyscubic`).
///
/// Each output pixel's centre maps back to `(x + 0.5) / scale - translation / scale` in the
/// input; the filter is centred there and, when antialiasing a downsample, stretched by
/// `1 / scale` so that it also low-passes. Rows are filtered first into a float32 intermediate,
/// then columns, as TensorFlow's CPU kernel does, with its float32 arithmetic in its order, so
/// results match bit for bit. Input of any real dtype is read as float32; the output is float32.
public enum ScaleAndTranslate {
  /// The filters TensorFlow names in `kernel_type`.
  public enum Kernel: String, Sendable, CaseIterable {
    case lanczos1, lanczos3, lanczos5, gaussian, box, triangle, keyscubic, mitchellcubic

    /// Half the filter's support, in input pixels before any antialias stretch.
    var radius: Float {
      switch self {
      case .lanczos1, .box, .triangle: 1
      case .lanczos3: 3
      case .lanczos5: 5
      case .gaussian: 1.5
      case .keyscubic, .mitchellcubic: 2
      }
    }

    /// The filter's weight at distance `x` (TensorFlow's `sampling_kernels.h` formulas, in its
    /// precision: float32 everywhere except the Gaussian's exponent, computed in double).
    func weight(_ distance: Float) -> Float {
      let x = abs(distance)
      switch self {
      case .lanczos1, .lanczos3, .lanczos5:
        let pi: Float = 3.14159265359
        if x > radius { return 0 }
        if Double(x) <= 1e-3 { return 1 }  // compared in double, as TensorFlow's C++ promotes it
        return radius * sin(pi * x) * sin(pi * x / radius) / (pi * pi * x * x)
      case .gaussian:
        let sigma = radius / 3
        if x >= radius { return 0 }
        return Float(exp(Double(-x * x) / (2.0 * Double(sigma) * Double(sigma))))
      case .box:
        return x < 0.5 ? 1 : x == 0.5 ? 0.5 : 0
      case .triangle:
        return x < 1 ? 1 - x : 0
      case .keyscubic:
        if x >= 2 { return 0 }
        if x >= 1 { return ((-0.5 * x + 2.5) * x - 4) * x + 2 }
        return ((1.5 * x - 2.5) * x) * x + 1
      case .mitchellcubic:
        if x >= 2 { return 0 }
        if x >= 1 { return (((Float(-7) / 18) * x + 2) * x - Float(10) / 3) * x + Float(16) / 9 }
        return (((Float(7) / 6) * x - 2) * x) * x + Float(8) / 9
      }
    }
  }

  /// For each output pixel along one dimension: the first input pixel and the normalised weights
  /// of `size` consecutive input pixels from there (zero past the end or when the centre falls
  /// off the image).
  struct Spans {
    var size: Int
    var starts: [Int]
    var weights: [Float]
  }

  /// x86's float-to-int64 conversion (`cvttss2si`): truncation, and `Int64.min` for NaN and for
  /// values out of range, which TensorFlow's kernel meets for a NaN or enormous sample position.
  static func truncatedInt64(_ value: Float) -> Int64 {
    guard value.isFinite, value >= -9.223372e18, value < 9.223372e18 else { return .min }
    return Int64(value)
  }

  /// TensorFlow's `ComputeSpansCore`.
  static func spans(
    kernel: Kernel, outputSize: Int, inputSize: Int, scale: Float, translation: Float, antialias: Bool, op: String
  ) throws(TensorError) -> Spans {
    let inverseScale = Float(1.0 / Double(scale))
    let inverseTranslation = -inverseScale * translation
    let kernelScale = antialias ? Swift.max(inverseScale, 1) : 1
    let reach = kernel.radius * kernelScale
    // 2·ceil(reach) + 1 pixels, at most the whole input, in TensorFlow's 32-bit int arithmetic:
    // past 2^31 the conversion gives INT_MIN and the size wraps to 1 (then a sample inside the
    // image fails "Span is too large"); from 2^30 it goes negative, where TensorFlow aborts.
    let reachCeiling = reach.rounded(.up)
    let whole = reachCeiling < 2_147_483_648 ? Int32(reachCeiling) : Int32.min
    let wrapped = Int(whole &* 2 &+ 1)
    guard wrapped > 0 else {
      throw .invalidArgument(op: op, reason: "the filter's span (\(reach) pixels each side) is too large")
    }
    let size = Swift.min(wrapped, inputSize)
    try Shape.checkAllocation([outputSize, size], dtype: .float32, op: op)
    var starts = [Int](repeating: 0, count: outputSize)
    var weights = [Float](repeating: 0, count: outputSize * size)
    let inverseKernelScale = 1 / kernelScale
    let last = Int64(inputSize - 1)
    for x in 0..<outputSize {
      let sample = (Float(x) + 0.5) * inverseScale + inverseTranslation
      // A centre off the image samples nothing.
      if sample < 0 || sample > Float(inputSize) { continue }
      let start = Int(Swift.min(Swift.max(truncatedInt64((sample - reach - 0.5).rounded(.up)), 0), last))
      let end = Int(Swift.min(Swift.max(truncatedInt64((sample + reach - 0.5).rounded(.down)), 0), last)) + 1
      guard end - start <= size else {
        throw .invalidArgument(op: op, reason: "Span is too large: \(end - start) vs \(size).")
      }
      // The raw weights, then normalised to sum to one; a sum too close to zero leaves zeros.
      let row = (x * size)..<(x * size + end - start)
      var total: Float = 0
      for (index, source) in zip(row, start..<end) {
        let weight = kernel.weight((Float(source) + 0.5 - sample) * inverseKernelScale)
        total += weight
        weights[index] = weight
      }
      if abs(total) >= 1000 * Float.leastNormalMagnitude {
        let normaliser = 1 / total
        for index in row { weights[index] *= normaliser }
      } else {
        for index in row { weights[index] = 0 }
      }
      starts[x] = start
    }
    return Spans(size: size, starts: starts, weights: weights)
  }

  /// Reads a `[rows, columns]` pair of `scale` or `translation`: a float32 vector of two.
  static func pair(_ tensor: Tensor, op: String) throws(TensorError) -> [Float] {
    guard tensor.rank == 1 else { throw .invalidShape(op: op, shape: tensor.shape, reason: "t must be 1-dimensional") }
    guard tensor.elementCount == 2 else {
      throw .invalidShape(op: op, shape: tensor.shape, reason: "t must have two elements")
    }
    guard tensor.dtype == .float32 else { throw .unsupportedDType(op: op, tensor.dtype) }
    return try tensor.floats()
  }

  /// Resamples NHWC `images` to `size` (`[height, width]`) with `scale` and `translation` (float32
  /// vectors of `[rows, columns]`), TensorFlow's checks and messages first.
  public static func apply(
    _ images: Tensor, size: [Int], scale scaleTensor: Tensor, translation translationTensor: Tensor,
    kernel kernelName: String, antialias: Bool
  ) throws(TensorError) -> Tensor {
    let op = "ScaleAndTranslate"
    guard let kernel = Kernel(rawValue: kernelName) else {
      throw .invalidArgument(op: op, reason: "Unrecognized kernel type: \(kernelName)")
    }
    guard images.rank == 4 else {
      throw .invalidShape(op: op, shape: images.shape, reason: "input must be 4-dimensional")
    }
    guard images.dtype.isNumeric else { throw .unsupportedDType(op: op, images.dtype) }
    guard size.count == 2 else { throw .invalidArgument(op: op, reason: "output_shape_t must have two elements") }
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    guard height < Int(Int32.max), width < Int(Int32.max) else {
      throw .invalidArgument(op: op, reason: "input sizes must be between 0 and max int32")
    }
    guard size[0] > 0, size[1] > 0 else {
      throw .invalidArgument(op: op, reason: "output dimensions must be positive")
    }
    guard channels > 0 else { throw .invalidArgument(op: op, reason: "image must have at least one channel") }
    guard height > 0, width > 0 else {
      throw .invalidArgument(op: op, reason: "input image must be of non-zero size")
    }
    let scale = try pair(scaleTensor, op: op)
    guard scale[0] > 0, scale[1] > 0 else { throw .invalidArgument(op: op, reason: "Scale must be greater than zero.") }
    let translation = try pair(translationTensor, op: op)
    let (outputHeight, outputWidth) = (size[0], size[1])
    let shape = [batch, outputHeight, outputWidth, channels]
    try Shape.checkAllocation(shape, dtype: .float32, op: op)
    if Shape.elementCount(shape) == 0 { return Tensor(float32: [], shape: shape) }
    try Shape.checkAllocation([outputHeight, width, channels], dtype: .float32, op: op)

    let columns = try spans(
      kernel: kernel, outputSize: outputWidth, inputSize: width, scale: scale[1], translation: translation[1],
      antialias: antialias, op: op)
    let rows = try spans(
      kernel: kernel, outputSize: outputHeight, inputSize: height, scale: scale[0], translation: translation[0],
      antialias: antialias, op: op)
    try Shape.checkAllocation(images.shape, dtype: .float32, op: op)
    let source = try Cast.apply(images, to: .float32).floats()
    let inputRow = width * channels
    let outputRow = outputWidth * channels
    var intermediate = [Float](repeating: 0, count: outputHeight * inputRow)
    var output = [Float](repeating: 0, count: Shape.elementCount(shape))
    for b in 0..<batch {
      let image = b * height * inputRow
      // Rows: each intermediate row is a weighted sum of whole input rows.
      for y in 0..<outputHeight {
        let base = y * inputRow
        for i in 0..<inputRow { intermediate[base + i] = 0 }
        let start = rows.starts[y]
        let count = Swift.min(start + rows.size, height) - start
        for k in 0..<count {
          let weight = rows.weights[y * rows.size + k]
          let from = image + (start + k) * inputRow
          for i in 0..<inputRow { intermediate[base + i] += weight * source[from + i] }
        }
      }
      // Columns: each output pixel is a weighted sum of intermediate pixels in its row.
      let out = b * outputHeight * outputRow
      for y in 0..<outputHeight {
        for x in 0..<outputWidth {
          let start = columns.starts[x]
          let count = Swift.min(start + columns.size, width) - start
          let target = out + y * outputRow + x * channels
          for k in 0..<count {
            let weight = columns.weights[x * columns.size + k]
            let from = y * inputRow + (start + k) * channels
            for c in 0..<channels { output[target + c] += weight * intermediate[from + c] }
          }
        }
      }
    }
    return Tensor(float32: output, shape: shape)
  }
}
