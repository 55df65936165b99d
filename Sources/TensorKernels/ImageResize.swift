import Foundation

/// Image resizing and cropping on NHWC tensors, with TensorFlow's CPU arithmetic: sample
/// positions, scales and interpolation weights computed in `float32` in the same order as its
/// kernels, so results match bit for bit where TensorFlow's do not reassociate.
///
/// Tolerance class: bilinear, nearest and crops are exact; bicubic and area round (an ulp or two).
public enum ImageResize {
  /// How output coordinates map to input coordinates.
  public struct Options: Sendable, Equatable {
    public var alignCorners: Bool
    public var halfPixelCenters: Bool

    public init(alignCorners: Bool = false, halfPixelCenters: Bool = false) {
      self.alignCorners = alignCorners
      self.halfPixelCenters = halfPixelCenters
    }
  }

  /// The input-per-output scale TensorFlow uses (`CalculateResizeScale`).
  static func scale(_ input: Int, _ output: Int, _ alignCorners: Bool) -> Float {
    alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
  }

  /// Checks an NHWC `images` tensor and a `[height, width]` size; returns the output shape.
  static func checkResize(_ op: String, _ images: Tensor, _ size: [Int], _ options: Options, outputType: DType)
    throws(TensorError) -> [Int]
  {
    guard images.rank == 4 else {
      throw .invalidShape(op: op, shape: images.shape, reason: "images must be 4-D (NHWC)")
    }
    guard images.dtype.isNumeric else { throw .unsupportedDType(op: op, images.dtype) }
    guard size.count == 2, size.allSatisfy({ $0 > 0 }) else {
      throw .invalidArgument(op: op, reason: "size must be two positive values, got \(size)")
    }
    guard !(options.alignCorners && options.halfPixelCenters) else {
      throw .invalidArgument(
        op: op, reason: "If half_pixel_centers is True, align_corners must be False.")
    }
    guard images.shape[1] > 0, images.shape[2] > 0 else {
      throw .invalidShape(op: op, shape: images.shape, reason: "input image must be of non-zero size")
    }
    let shape = [images.shape[0], size[0], size[1], images.shape[3]]
    try Shape.checkAllocation(shape, dtype: outputType, op: op)
    return shape
  }

  /// `ResizeBilinear`: float32 output; each output pixel interpolates its four neighbours
  /// (`top + (bottom - top) * yLerp` of the two row interpolations).
  public static func bilinear(_ images: Tensor, size: [Int], options: Options) throws(TensorError) -> Tensor {
    let shape = try checkResize("ResizeBilinear", images, size, options, outputType: .float32)
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let source = try Cast.apply(images, to: .float32).floats()
    func weights(_ output: Int, _ input: Int) -> [(lower: Int, upper: Int, lerp: Float)] {
      let scale = scale(input, output, options.alignCorners)
      return (0..<output).map { index in
        let position = options.halfPixelCenters ? (Float(index) + 0.5) * scale - 0.5 : Float(index) * scale
        let floor = position.rounded(.down)
        let lower = Swift.max(Int(floor), 0)
        let upper = Swift.min(Int(position.rounded(.up)), input - 1)
        return (lower, upper, position - floor)
      }
    }
    let ys = weights(size[0], height)
    let xs = weights(size[1], width)
    var output = [Float](repeating: 0, count: Shape.elementCount(shape))
    var index = 0
    for b in 0..<batch {
      for y in ys {
        let top = (b * height + y.lower) * width
        let bottom = (b * height + y.upper) * width
        for x in xs {
          for c in 0..<channels {
            let topLeft = source[(top + x.lower) * channels + c]
            let topRight = source[(top + x.upper) * channels + c]
            let bottomLeft = source[(bottom + x.lower) * channels + c]
            let bottomRight = source[(bottom + x.upper) * channels + c]
            let upper = topLeft + (topRight - topLeft) * x.lerp
            let lower = bottomLeft + (bottomRight - bottomLeft) * x.lerp
            output[index] = upper + (lower - upper) * y.lerp
            index += 1
          }
        }
      }
    }
    return Tensor(float32: output, shape: shape)
  }

  /// `ResizeNearestNeighbor`: the input's dtype; `floor` of the scaled position (with half-pixel
  /// centres, of `(i + 0.5) * scale`), or `round` with `align_corners`, clamped to the image.
  public static func nearest(_ images: Tensor, size: [Int], options: Options) throws(TensorError) -> Tensor {
    let shape = try checkResize("ResizeNearestNeighbor", images, size, options, outputType: images.dtype)
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    func sources(_ output: Int, _ input: Int) -> [Int] {
      let scale = scale(input, output, options.alignCorners)
      return (0..<output).map { index in
        let position = options.halfPixelCenters ? (Float(index) + 0.5) * scale : Float(index) * scale
        let rounded = options.alignCorners ? position.rounded(.toNearestOrAwayFromZero) : position.rounded(.down)
        return Swift.max(Swift.min(Int(rounded), input - 1), 0)
      }
    }
    let ys = sources(size[0], height)
    let xs = sources(size[1], width)
    var indices: [Int] = []
    indices.reserveCapacity(Shape.elementCount(shape))
    for b in 0..<batch {
      for y in ys {
        for x in xs {
          let pixel = ((b * height + y) * width + x) * channels
          for c in 0..<channels { indices.append(pixel + c) }
        }
      }
    }
    return try Rearrange.gather(
      try images.reshaped(to: [images.elementCount]), indices: indices, indexShape: [indices.count], axis: 0
    ).reshaped(to: shape)
  }

  /// TensorFlow's bicubic weight table: 1025 samples of the cubic convolution kernel with
  /// parameter `a`, two per sample (the near and the far tap).
  static func cubicTable(_ a: Double) -> [Float] {
    let size = 1024
    var table = [Float](repeating: 0, count: (size + 1) * 2)
    for i in 0...size {
      var x = Float(Double(i) * 1.0 / Double(size))
      table[i * 2] = Float(((a + 2) * Double(x) - (a + 3)) * Double(x) * Double(x) + 1)
      x += 1
      table[i * 2 + 1] = Float(((a * Double(x) - 5 * a) * Double(x) + 8 * a) * Double(x) - 4 * a)
    }
    return table
  }

  static let legacyCubic = cubicTable(-0.75)
  static let keysCubic = cubicTable(-0.5)

  /// `ResizeBicubic`: float32 output. Weights come from TensorFlow's 1024-step table (a = -0.75;
  /// with half-pixel centres Keys' a = -0.5, taps outside the image dropped and the rest
  /// renormalised); columns are interpolated first, then the row.
  public static func bicubic(_ images: Tensor, size: [Int], options: Options) throws(TensorError) -> Tensor {
    let shape = try checkResize("ResizeBicubic", images, size, options, outputType: .float32)
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let source = try Cast.apply(images, to: .float32).floats()
    let keys = options.halfPixelCenters
    let table = keys ? keysCubic : legacyCubic
    func taps(_ output: Int, _ input: Int) -> [(indices: [Int], weights: [Float])] {
      let scale = scale(input, output, options.alignCorners)
      return (0..<output).map { index in
        let position = options.halfPixelCenters ? (Float(index) + 0.5) * scale - 0.5 : Float(index) * scale
        let floor = position.rounded(.down)
        let delta = position - floor
        let location = Int(floor)
        let offset = Int(lrintf(delta * 1024))
        var weights = [
          table[offset * 2 + 1], table[offset * 2], table[(1024 - offset) * 2], table[(1024 - offset) * 2 + 1],
        ]
        let wanted = (0..<4).map { location - 1 + $0 }
        let indices = wanted.map { Swift.min(input - 1, Swift.max(0, $0)) }
        if keys {
          for k in 0..<4 where indices[k] != wanted[k] { weights[k] = 0 }
          let sum = weights[0] + weights[1] + weights[2] + weights[3]
          if Swift.abs(sum) >= 1000 * Float.leastNormalMagnitude {
            let inverse = 1 / sum
            for k in 0..<4 { weights[k] *= inverse }
          }
        }
        return (indices, weights)
      }
    }
    let ys = taps(size[0], height)
    let xs = taps(size[1], width)
    var output = [Float](repeating: 0, count: Shape.elementCount(shape))
    var index = 0
    func combine(_ values: (Float, Float, Float, Float), _ w: [Float]) -> Float {
      w[0] * values.0 + w[1] * values.1 + w[2] * values.2 + w[3] * values.3
    }
    for b in 0..<batch {
      for y in ys {
        let rows = y.indices.map { (b * height + $0) * width }
        for x in xs {
          for c in 0..<channels {
            var columns = [Float](repeating: 0, count: 4)
            for k in 0..<4 {
              let column = x.indices[k]
              columns[k] = combine(
                (
                  source[(rows[0] + column) * channels + c], source[(rows[1] + column) * channels + c],
                  source[(rows[2] + column) * channels + c], source[(rows[3] + column) * channels + c]
                ), y.weights)
            }
            output[index] = combine((columns[0], columns[1], columns[2], columns[3]), x.weights)
            index += 1
          }
        }
      }
    }
    return Tensor(float32: output, shape: shape)
  }

  /// `ResizeArea`: float32 output; each output pixel is the area-weighted mean of the input
  /// pixels its box `[i * scale, (i + 1) * scale)` covers (indices clamped to the image).
  public static func area(_ images: Tensor, size: [Int], options: Options) throws(TensorError) -> Tensor {
    guard !options.halfPixelCenters else {
      throw .invalidArgument(op: "ResizeArea", reason: "half_pixel_centers is not an attribute of ResizeArea")
    }
    let shape = try checkResize("ResizeArea", images, size, options, outputType: .float32)
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let source = try Cast.apply(images, to: .float32).floats()
    let heightScale = scale(height, size[0], options.alignCorners)
    let widthScale = scale(width, size[1], options.alignCorners)
    func spans(_ output: Int, _ input: Int, _ scale: Float) -> [[(index: Int, weight: Float)]] {
      (0..<output).map { index in
        let start = Float(index) * scale
        let end = Float(index + 1) * scale
        let first = Int(start.rounded(.down))
        let last = Int(end.rounded(.up))
        return (first..<Swift.max(last, first)).map { i in
          let weight = Swift.min(Float(i + 1), end) - Swift.max(Float(i), start)
          return (Swift.min(Swift.max(i, 0), input - 1), weight)
        }
      }
    }
    let ys = spans(size[0], height, heightScale)
    let xs = spans(size[1], width, widthScale)
    let norm = 1 / (heightScale * widthScale)
    var output = [Float](repeating: 0, count: Shape.elementCount(shape))
    var index = 0
    for b in 0..<batch {
      for y in ys {
        for x in xs {
          for c in 0..<channels {
            var sum: Float = 0
            for (row, rowWeight) in y {
              var rowSum: Float = 0
              for (column, columnWeight) in x {
                rowSum += source[((b * height + row) * width + column) * channels + c] * columnWeight
              }
              sum += rowSum * rowWeight
            }
            output[index] = sum * norm
            index += 1
          }
        }
      }
    }
    return Tensor(float32: output, shape: shape)
  }

  /// `CropAndResize`: for each box `[y1, x1, y2, x2]` (normalised) of image `boxIndices[i]`, a
  /// `cropSize` crop sampled bilinearly or at the nearest pixel; samples outside the image take
  /// `extrapolation`.
  public static func cropAndResize(
    _ images: Tensor, boxes: Tensor, boxIndices: [Int], cropSize: [Int], nearest: Bool, extrapolation: Float
  ) throws(TensorError) -> Tensor {
    let op = "CropAndResize"
    guard images.rank == 4, images.dtype.isNumeric else {
      throw .invalidShape(op: op, shape: images.shape, reason: "image must be a 4-D numeric tensor")
    }
    guard boxes.rank == 2, boxes.shape[1] == 4, boxIndices.count == boxes.shape[0] else {
      throw .invalidShape(
        op: op, shape: boxes.shape, reason: "boxes must be [num_boxes, 4] with one box index each")
    }
    guard cropSize.count == 2, cropSize.allSatisfy({ $0 > 0 }) else {
      throw .invalidArgument(op: op, reason: "crop dimensions must be positive, got \(cropSize)")
    }
    let (batch, height, width, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    if let bad = boxIndices.first(where: { $0 < 0 || $0 >= batch }) {
      throw .invalidArgument(op: op, reason: "box_ind has values outside [0, \(batch)): \(bad)")
    }
    let shape = [boxes.shape[0], cropSize[0], cropSize[1], channels]
    try Shape.checkAllocation(shape, dtype: .float32, op: op)
    let source = try Cast.apply(images, to: .float32).floats()
    let corners = try Cast.apply(boxes, to: .float32).floats()
    let (cropHeight, cropWidth) = (cropSize[0], cropSize[1])
    var output = [Float](repeating: extrapolation, count: Shape.elementCount(shape))
    for box in 0..<boxes.shape[0] {
      let (y1, x1, y2, x2) = (corners[box * 4], corners[box * 4 + 1], corners[box * 4 + 2], corners[box * 4 + 3])
      let image = boxIndices[box]
      let heightScale = cropHeight > 1 ? (y2 - y1) * Float(height - 1) / Float(cropHeight - 1) : 0
      let widthScale = cropWidth > 1 ? (x2 - x1) * Float(width - 1) / Float(cropWidth - 1) : 0
      for y in 0..<cropHeight {
        let inY = cropHeight > 1 ? y1 * Float(height - 1) + Float(y) * heightScale : 0.5 * (y1 + y2) * Float(height - 1)
        guard inY >= 0, inY <= Float(height - 1) else { continue }
        for x in 0..<cropWidth {
          let inX = cropWidth > 1 ? x1 * Float(width - 1) + Float(x) * widthScale : 0.5 * (x1 + x2) * Float(width - 1)
          guard inX >= 0, inX <= Float(width - 1) else { continue }
          let out = ((box * cropHeight + y) * cropWidth + x) * channels
          func pixel(_ row: Int, _ column: Int, _ c: Int) -> Float {
            source[((image * height + row) * width + column) * channels + c]
          }
          if nearest {
            let (row, column) = (Int(inY.rounded(.toNearestOrAwayFromZero)), Int(inX.rounded(.toNearestOrAwayFromZero)))
            for c in 0..<channels { output[out + c] = pixel(row, column, c) }
            continue
          }
          let (top, bottom) = (Int(inY.rounded(.down)), Int(inY.rounded(.up)))
          let (left, right) = (Int(inX.rounded(.down)), Int(inX.rounded(.up)))
          let (yLerp, xLerp) = (inY - inY.rounded(.down), inX - inX.rounded(.down))
          for c in 0..<channels {
            let topLeft = pixel(top, left, c)
            let topRight = pixel(top, right, c)
            let bottomLeft = pixel(bottom, left, c)
            let bottomRight = pixel(bottom, right, c)
            let upper = topLeft + (topRight - topLeft) * xLerp
            let lower = bottomLeft + (bottomRight - bottomLeft) * xLerp
            output[out + c] = upper + (lower - upper) * yLerp
          }
        }
      }
    }
    return Tensor(float32: output, shape: shape)
  }

  /// `DepthToSpace` (NHWC): each pixel's `block²` groups of channels become a block × block patch.
  public static func depthToSpace(_ input: Tensor, blockSize block: Int) throws(TensorError) -> Tensor {
    let op = "DepthToSpace"
    guard input.rank == 4 else { throw .invalidShape(op: op, shape: input.shape, reason: "input must be 4-D (NHWC)") }
    guard block >= 2, block <= 1 << 16 else {
      throw .invalidArgument(op: op, reason: "block_size must be > 1, got \(block)")
    }
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    guard c % (block * block) == 0 else {
      throw .invalidArgument(
        op: op, reason: "Input depth dimension \(c) should be divisible by: \(block * block)")
    }
    let depth = c / (block * block)
    // [n, h, w, b, b, d] -> [n, h, b, w, b, d]
    let six = try input.reshaped(to: [n, h, w, block, block, depth])
    return try Rearrange.permute(six, [0, 1, 3, 2, 4, 5]).reshaped(to: [n, h * block, w * block, depth])
  }

  /// `SpaceToDepth` (NHWC): each block × block patch becomes one pixel of `block²` times the
  /// channels.
  public static func spaceToDepth(_ input: Tensor, blockSize block: Int) throws(TensorError) -> Tensor {
    let op = "SpaceToDepth"
    guard input.rank == 4 else { throw .invalidShape(op: op, shape: input.shape, reason: "input must be 4-D (NHWC)") }
    guard block >= 2, block <= 1 << 16 else {
      throw .invalidArgument(op: op, reason: "block_size must be > 1, got \(block)")
    }
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    guard h % block == 0, w % block == 0 else {
      throw .invalidArgument(
        op: op, reason: "Image width \(w) and height \(h) should be divisible by block_size: \(block)")
    }
    let six = try input.reshaped(to: [n, h / block, block, w / block, block, c])
    return try Rearrange.permute(six, [0, 1, 3, 2, 4, 5]).reshaped(to: [n, h / block, w / block, block * block * c])
  }
}
