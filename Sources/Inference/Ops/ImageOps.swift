import Foundation
import TensorKernels

/// Image ops: resizes (`tf.image.resize` and Keras's `Resizing`, `ScaleAndTranslate` for its
/// lanczos, gaussian, mitchellcubic and antialiased methods), `CropAndResize`,
/// `DepthToSpace`/`SpaceToDepth`, transposed convolution and non-max suppression, adapted onto
/// `TensorKernels` (NHWC only, as everything here).
enum ImageOps {
  static func register(into registry: inout OpRegistry) {
    let resizes: [(String, @Sendable (Tensor, [Int], ImageResize.Options) throws(TensorError) -> Tensor)] = [
      (
        "ResizeBilinear",
        { x, size, options throws(TensorError) in try ImageResize.bilinear(x, size: size, options: options) }
      ),
      (
        "ResizeNearestNeighbor",
        { x, size, options throws(TensorError) in try ImageResize.nearest(x, size: size, options: options) }
      ),
      (
        "ResizeBicubic",
        { x, size, options throws(TensorError) in try ImageResize.bicubic(x, size: size, options: options) }
      ),
      ("ResizeArea", { x, size, options throws(TensorError) in try ImageResize.area(x, size: size, options: options) }),
    ]
    for (name, resize) in resizes {
      registry.register(name) { context throws(InferenceError) in
        let images = try context.tensor(0)
        let size = try ArrayOps.integers(try context.tensor(1), context)
        let options = ImageResize.Options(
          alignCorners: try context.bool("align_corners"), halfPixelCenters: try context.bool("half_pixel_centers"))
        return [.tensor(try context.run { try resize(images, size, options) })]
      }
    }
    registry.register("CropAndResize") { context throws(InferenceError) in
      let (images, boxes) = (try context.tensor(0), try context.tensor(1))
      let indices = try ArrayOps.integers(try context.tensor(2), context)
      let size = try ArrayOps.integers(try context.tensor(3), context)
      let method = try context.string("method", default: "bilinear")
      guard method == "bilinear" || method == "nearest" else {
        throw InferenceError(.invalidArgument, "\(context.location): method must be 'bilinear' or 'nearest'")
      }
      let extrapolation = try context.float("extrapolation_value", default: 0)
      return [
        .tensor(
          try context.run {
            try ImageResize.cropAndResize(
              images, boxes: boxes, boxIndices: indices, cropSize: size, nearest: method == "nearest",
              extrapolation: extrapolation)
          })
      ]
    }
    registry.register("ScaleAndTranslate") { context throws(InferenceError) in
      let images = try context.tensor(0)
      let sizes = try context.tensor(1)
      guard sizes.rank == 1 else {
        throw InferenceError(.invalidArgument, "\(context.location): output_shape_t must be 1-dimensional")
      }
      let size = try ArrayOps.integers(sizes, context)
      let (scale, translation) = (try context.tensor(2), try context.tensor(3))
      let kernel = try context.string("kernel_type", default: "lanczos3")
      let antialias = try context.bool("antialias", default: true)
      return [
        .tensor(
          try context.run {
            try ScaleAndTranslate.apply(
              images, size: size, scale: scale, translation: translation, kernel: kernel, antialias: antialias)
          })
      ]
    }
    for name in ["DepthToSpace", "SpaceToDepth"] {
      registry.register(name) { context throws(InferenceError) in
        try NeuralNetworkOps.requireNHWC(context)
        let x = try context.tensor(0)
        let block = try context.int("block_size")
        return [
          .tensor(
            try context.run {
              name == "DepthToSpace"
                ? try ImageResize.depthToSpace(x, blockSize: block) : try ImageResize.spaceToDepth(x, blockSize: block)
            })
        ]
      }
    }
    registry.register("Conv2DBackpropInput") { context throws(InferenceError) in
      try NeuralNetworkOps.requireNHWC(context)
      let sizes = try ArrayOps.integers(try context.tensor(0), context)
      let (filter, gradient) = (try context.tensor(1), try context.tensor(2))
      let padding = try NeuralNetworkOps.padding(context)
      let strides = try context.ints("strides")
      let dilations = try NeuralNetworkOps.dilations(context)
      return [
        .tensor(
          try context.run {
            try Conv2DBackpropInput.apply(
              inputSizes: sizes, filter: filter, outputBackprop: gradient, strides: strides, padding: padding,
              dilations: dilations)
          })
      ]
    }
    for name in ["NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"] {
      registry.register(name) { context throws(InferenceError) in try nonMaxSuppression(context, version: name.last) }
    }
  }

  /// Greedy non-max suppression as TensorFlow's CPU kernel runs it: candidates above
  /// `score_threshold` by descending score (lower index first on ties); a candidate whose IoU
  /// with an already selected box exceeds `iou_threshold` is dropped. V5 with `soft_nms_sigma`
  /// > 0 instead decays the score by `exp(-0.5 · iou² / σ)` and re-queues the candidate while it
  /// stays above the threshold. V4 and V5 can pad the result to `max_output_size`.
  static func nonMaxSuppression(_ context: OpContext, version: Character?) throws(InferenceError) -> [Value] {
    let boxes = try context.tensor(0)
    let scoreTensor = try context.tensor(1)
    guard boxes.rank == 2, boxes.shape[1] == 4, scoreTensor.rank == 1, scoreTensor.shape[0] == boxes.shape[0] else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): boxes must be [num_boxes, 4] and scores [num_boxes], got \(Shape.format(boxes.shape)) and \(Shape.format(scoreTensor.shape))"
      )
    }
    func scalar(_ index: Int) throws(InferenceError) -> Float {
      let tensor = try context.tensor(index)
      guard tensor.elementCount == 1 else {
        throw InferenceError(.invalidArgument, "\(context.location): input \(index) must be a scalar")
      }
      return try context.run { try Cast.apply(tensor, to: .float32).floats()[0] }
    }
    let maxTensor = try context.tensor(2)
    guard maxTensor.elementCount == 1, let maxOutput = try ArrayOps.integers(maxTensor, context).first else {
      throw InferenceError(.invalidArgument, "\(context.location): max_output_size must be a scalar")
    }
    let iouThreshold = try scalar(3)
    let scoreThreshold = try scalar(4)
    let sigma = version == "5" ? try scalar(5) : 0
    guard maxOutput >= 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): max_output_size must be non-negative")
    }
    guard iouThreshold >= 0, iouThreshold <= 1 else {
      throw InferenceError(.invalidArgument, "\(context.location): iou_threshold must be in [0, 1]")
    }
    guard sigma >= 0 else { throw InferenceError(.invalidArgument, "\(context.location): soft_nms_sigma must be >= 0") }
    let corners = try context.run { try Cast.apply(boxes, to: .float32).floats() }
    let scores = try context.run { try Cast.apply(scoreTensor, to: .float32).floats() }
    func iou(_ i: Int, _ j: Int) -> Float {
      let (yminI, ymaxI) = (min(corners[i * 4], corners[i * 4 + 2]), max(corners[i * 4], corners[i * 4 + 2]))
      let (xminI, xmaxI) = (min(corners[i * 4 + 1], corners[i * 4 + 3]), max(corners[i * 4 + 1], corners[i * 4 + 3]))
      let (yminJ, ymaxJ) = (min(corners[j * 4], corners[j * 4 + 2]), max(corners[j * 4], corners[j * 4 + 2]))
      let (xminJ, xmaxJ) = (min(corners[j * 4 + 1], corners[j * 4 + 3]), max(corners[j * 4 + 1], corners[j * 4 + 3]))
      let areaI = (ymaxI - yminI) * (xmaxI - xminI)
      let areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ)
      if areaI <= 0 || areaJ <= 0 { return 0 }
      let height = max(min(ymaxI, ymaxJ) - max(yminI, yminJ), 0)
      let width = max(min(xmaxI, xmaxJ) - max(xminI, xminJ), 0)
      let intersection = height * width
      return intersection / (areaI + areaJ - intersection)
    }
    struct Candidate {
      let index: Int
      var score: Float
      var checkedUpTo: Int
    }
    func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
      a.score > b.score || (a.score == b.score && a.index < b.index)
    }
    var queue = scores.enumerated().filter { $0.element > scoreThreshold }.map {
      Candidate(index: $0.offset, score: $0.element, checkedUpTo: 0)
    }
    queue.sort(by: precedes)
    let scale: Float = sigma > 0 ? -0.5 / sigma : 0
    var selected: [Int] = []
    var selectedScores: [Float] = []
    while selected.count < maxOutput, !queue.isEmpty {
      var candidate = queue.removeFirst()
      let original = candidate.score
      var suppressed = false
      var j = selected.count - 1
      while j >= candidate.checkedUpTo {
        let overlap = iou(candidate.index, selected[j])
        if sigma == 0, overlap > iouThreshold {
          suppressed = true
          break
        }
        if sigma > 0 { candidate.score *= exp(scale * overlap * overlap) }
        if candidate.score <= scoreThreshold { break }
        j -= 1
      }
      candidate.checkedUpTo = selected.count
      guard !suppressed else { continue }
      if candidate.score == original {
        selected.append(candidate.index)
        selectedScores.append(candidate.score)
      } else if candidate.score > scoreThreshold {
        let position = queue.firstIndex { precedes(candidate, $0) } ?? queue.count
        queue.insert(candidate, at: position)
      }
    }
    let valid = selected.count
    var pad = false
    if version != "3" { pad = try context.bool("pad_to_max_output_size") }
    if pad, valid < maxOutput {
      // Counted at 8 bytes an index: the padding is built as Swift `Int`s before the int32 output.
      try context.checkOutput([maxOutput], .int64)
      selected += [Int](repeating: 0, count: maxOutput - valid)
      selectedScores += [Float](repeating: 0, count: maxOutput - valid)
    }
    let indices = Tensor(int32: selected.map { Int32($0) }, shape: [selected.count])
    let count = Tensor(int32: [Int32(valid)], shape: [])
    switch version {
    case "3": return [.tensor(indices)]
    case "4": return [.tensor(indices), .tensor(count)]
    default:
      let scoreValues = try context.run {
        try Cast.apply(Tensor(float32: selectedScores, shape: [selectedScores.count]), to: scoreTensor.dtype)
      }
      return [.tensor(indices), .tensor(scoreValues), .tensor(count)]
    }
  }
}
