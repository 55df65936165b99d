/// 2-D convolution as im2col followed by large GEMMs.
///
/// Every output position of every image becomes one row of a "column" matrix holding the input
/// patch it sees (`kernelHeight · kernelWidth · channels` values, zeros where the patch hangs over
/// the padding). In HWIO layout the filter already is a `(kh·kw·in) × out` row-major matrix, so the
/// whole convolution is one product `columns · filter` whose rows are the NHWC output. Rows from
/// all images go into the same product, cut into chunks only to bound the column buffer (4 MiB by
/// default: thousands of GEMM rows for typical layers, while the buffer stays in cache and is
/// reused rather than page-faulted in; on a 112×112×64, 3×3×64×64 layer 4 MiB measured 11 ms
/// against 15 ms for 32 MiB). So GEMMs stay large even for batch 1 and small images. A 1×1
/// convolution with stride 1 and no padding skips im2col and multiplies the input directly; most
/// float32 3×3 convolutions with stride 1 go to `WinogradConvolution` instead.
///
/// The column buffer is filled on all cores; the GEMM then runs on OpenBLAS's threads.
/// Tolerance class: rounding (the GEMM orders its sums its own way).
public enum Conv2D {
  /// The column buffer budget, in bytes, per GEMM chunk.
  static let defaultColumnBudget = 4 << 20

  /// Convolves an NHWC input with an HWIO filter.
  ///
  /// Corresponds to the TensorFlow op `Conv2D` with `data_format` `NHWC`.
  ///
  /// - Parameters:
  ///   - input: `[batch, height, width, inChannels]`.
  ///   - filter: `[kernelHeight, kernelWidth, inChannels, outChannels]`, of the same dtype.
  ///   - strides: TensorFlow's `strides` attribute, `[1, strideHeight, strideWidth, 1]`.
  ///   - padding: `same`, `valid` or `explicit` (see `Padding` for the exact rules).
  ///   - dilations: TensorFlow's `dilations` attribute, `[1, dilationHeight, dilationWidth, 1]`.
  /// - Returns: `[batch, outHeight, outWidth, outChannels]`.
  /// - Throws: `TensorError.invalidShape` when an operand is not 4-D, the kernel is empty, or the
  ///   filter's input depth does not divide the input depth (a divisor makes a grouped
  ///   convolution: each group of channels convolved with its share of the output channels, as
  ///   Keras's `groups` and ConvNeXt's depthwise layers write it); `.invalidArgument` for bad
  ///   strides, dilations or padding; `.dtypeMismatch`; `.unsupportedDType` for non-float dtypes.
  /// - Complexity: O(batch · outHeight · outWidth · kernelHeight · kernelWidth · in · out).
  ///   - epilogue: per-channel ops to apply to the output as it is made (float32 only; see
  ///     `ChannelEpilogue`), as if run after the convolution.
  public static func apply(
    _ input: Tensor, filter: Tensor, strides: [Int], padding: Padding,
    dilations: [Int] = [1, 1, 1, 1], epilogue: ChannelEpilogue? = nil
  ) throws(TensorError) -> Tensor {
    if input.rank == 4, filter.rank == 4, filter.shape[2] > 0, input.shape[3] != filter.shape[2],
      input.shape[3] % filter.shape[2] == 0
    {
      var output = try grouped(input, filter: filter, strides: strides, padding: padding, dilations: dilations)
      if let epilogue, !epilogue.apply(toWhole: &output) {
        throw .invalidArgument(op: "Conv2D", reason: "the fused per-channel ops do not fit the output")
      }
      return output
    }
    return try apply(
      input, filter: filter, strides: strides, padding: padding, dilations: dilations,
      columnBudget: defaultColumnBudget, winograd: true, epilogue: epilogue)
  }

  /// A grouped convolution: the input's channels cut into `inDepth / filterDepth` groups, each
  /// convolved with its consecutive share of the output channels, the results concatenated in
  /// group order (TensorFlow's rule for `Conv2D` whose filter is shallower than the input).
  static func grouped(
    _ input: Tensor, filter: Tensor, strides: [Int], padding: Padding, dilations: [Int]
  ) throws(TensorError) -> Tensor {
    let (depth, filterDepth, outChannels) = (input.shape[3], filter.shape[2], filter.shape[3])
    let groups = depth / filterDepth
    guard outChannels % groups == 0 else {
      throw .invalidShape(
        op: "Conv2D", shape: filter.shape,
        reason: "the \(outChannels) output channels do not split into \(groups) groups")
    }
    let share = outChannels / groups
    var parts: [Tensor] = []
    for group in 0..<groups {
      let channels = try Rearrange.slice(
        input, begin: [0, 0, 0, group * filterDepth], strides: [1, 1, 1, 1],
        shape: [input.shape[0], input.shape[1], input.shape[2], filterDepth])
      let weights = try Rearrange.slice(
        filter, begin: [0, 0, 0, group * share], strides: [1, 1, 1, 1],
        shape: [filter.shape[0], filter.shape[1], filterDepth, share])
      parts.append(
        try apply(
          channels, filter: weights, strides: strides, padding: padding, dilations: dilations,
          columnBudget: defaultColumnBudget))
    }
    return try Rearrange.concatenate(parts, axis: 3)
  }

  /// `apply` with a chosen column buffer budget, so tests can force many chunks; 3×3 layers go to
  /// `WinogradConvolution` when it suits them only if `winograd` is set.
  static func apply(
    _ input: Tensor, filter: Tensor, strides: [Int], padding: Padding, dilations: [Int],
    columnBudget: Int, winograd: Bool = false, epilogue: ChannelEpilogue? = nil
  ) throws(TensorError) -> Tensor {
    let name = "Conv2D"
    try Window2D.checkOperands(
      op: name, input: input, filter: filter, filterLayout: "HWIO",
      depthProblem: "filter input depth must equal the input depth \(input.shape.last ?? 0) "
        + "(grouped convolution is not supported)")
    let window = try Window2D(
      op: name, input: input.shape, kernelHeight: filter.shape[0], kernelWidth: filter.shape[1],
      strides: strides, dilations: dilations, padding: padding)
    let outChannels = filter.shape[3]
    try window.checkOutput(channels: outChannels, dtype: input.dtype, op: name)
    let depth = window.kernelHeight * window.kernelWidth * window.channels
    guard [depth, outChannels].allSatisfy({ $0 <= BLAS.maximumDimension }) else {
      throw .invalidArgument(op: name, reason: "the filter is too large for OpenBLAS")
    }
    if let epilogue {
      guard input.dtype == .float32, epilogue.channels == outChannels else {
        throw .invalidArgument(op: name, reason: "the fused per-channel ops do not fit the output")
      }
    }
    switch input.dtype {
    case .float32:
      let rowEpilogue: GEMMEpilogue<Float>? = epilogue.map { epilogue in
        { block, rows, columns, ldc in epilogue.apply(block, rows: rows, columns: columns, stride: ldc) }
      }
      if winograd, WinogradConvolution.suits(window, outChannels: outChannels),
        let output = WinogradConvolution.convolve(input, filter, window, outChannels, epilogue: rowEpilogue)
      {
        return output
      }
      return convolve(input, filter, window, outChannels, columnBudget, Float.self, epilogue: rowEpilogue)
    case .float64: return convolve(input, filter, window, outChannels, columnBudget, Double.self)
    case .float16, .bfloat16:
      return convolve(
        input.widenedToFloat32(), filter.widenedToFloat32(), window, outChannels, columnBudget,
        Float.self
      ).narrowed(to: input.dtype)
    default: throw .unsupportedDType(op: name, input.dtype)
    }
  }

  /// The rows of a pointwise product computed at a time when an epilogue follows: about 1 MiB of
  /// output, which the epilogue then finds in L2.
  static let epilogueBlockBytes = 1 << 20

  private static func convolve<T: GEMMElement>(
    _ input: Tensor, _ filter: Tensor, _ window: Window2D, _ outChannels: Int, _ columnBudget: Int,
    _: T.Type, epilogue: GEMMEpilogue<T>? = nil
  ) -> Tensor {
    let outputShape = [window.batch, window.outputHeight, window.outputWidth, outChannels]
    let rowCount = window.batch * window.outputHeight * window.outputWidth
    let depth = window.kernelHeight * window.kernelWidth * window.channels
    return input.withElements(T.self) { source in
      filter.withElements(T.self) { weights in
        // Every element is written below (by the product, or as zeros when the depth is 0), so the
        // buffer is not zeroed first: that would be one more pass over the whole output.
        Tensor.makeOverwritten(T.self, shape: outputShape) { output in
          guard rowCount > 0, outChannels > 0 else { return }
          guard depth > 0 else {
            output.update(repeating: 0)
            epilogue?(output.baseAddress!, rowCount, 0..<outChannels, outChannels)
            return
          }
          let isPointwise =
            window.kernelHeight == 1 && window.kernelWidth == 1 && window.strideHeight == 1
            && window.strideWidth == 1 && window.rows.padBefore == 0 && window.rows.padAfter == 0
            && window.columns.padBefore == 0 && window.columns.padAfter == 0
          if isPointwise {
            T.multiply(
              transposeA: false, transposeB: false, m: rowCount, n: outChannels, k: depth,
              a: source, aOffset: 0, lda: depth, b: weights, bOffset: 0, ldb: outChannels,
              c: output, cOffset: 0, ldc: outChannels,
              rowBlock: max(128, epilogueBlockBytes / (outChannels * MemoryLayout<T>.stride)), epilogue: epilogue)
            return
          }
          let chunkRows = Swift.min(
            rowCount, Swift.max(1, columnBudget / (depth * MemoryLayout<T>.stride)))
          let columns = UnsafeMutableBufferPointer<T>.allocate(capacity: chunkRows * depth)
          defer { columns.deallocate() }
          var chunkStart = 0
          while chunkStart < rowCount {
            let count = Swift.min(chunkRows, rowCount - chunkStart)
            Parallel.forEachRange(count, costPerItem: depth) { range in
              for row in range {
                fillColumnRow(columns, row: row, outputRow: chunkStart + row, source, window)
              }
            }
            T.multiply(
              transposeA: false, transposeB: false, m: count, n: outChannels, k: depth,
              a: UnsafeBufferPointer(columns), aOffset: 0, lda: depth,
              b: weights, bOffset: 0, ldb: outChannels,
              c: output, cOffset: chunkStart * outChannels, ldc: outChannels, epilogue: epilogue)
            chunkStart += count
          }
        }
      }
    }
  }

  /// Writes the input patch seen by output row `outputRow` (an `n, oh, ow` position) into row
  /// `row` of `columns`, in `(kh, kw, channel)` order, with zeros for padded positions.
  @inline(__always)
  private static func fillColumnRow<T: GEMMElement>(
    _ columns: UnsafeMutableBufferPointer<T>, row: Int, outputRow: Int,
    _ source: UnsafeBufferPointer<T>, _ window: Window2D
  ) {
    let channels = window.channels
    let perImage = window.outputHeight * window.outputWidth
    let image = outputRow / perImage
    let position = outputRow % perImage
    let top = (position / window.outputWidth) * window.strideHeight - window.rows.padBefore
    let left = (position % window.outputWidth) * window.strideWidth - window.columns.padBefore
    var destination = row * window.kernelHeight * window.kernelWidth * channels
    for kh in 0..<window.kernelHeight {
      let y = top + kh * window.dilationHeight
      guard y >= 0, y < window.height else {
        (columns.baseAddress! + destination).update(repeating: 0, count: window.kernelWidth * channels)
        destination += window.kernelWidth * channels
        continue
      }
      let rowBase = (image * window.height + y) * window.width
      if window.dilationWidth == 1, left >= 0, left + window.kernelWidth <= window.width {
        // The whole window row lies inside the image: one contiguous run of the source.
        let count = window.kernelWidth * channels
        (columns.baseAddress! + destination).update(
          from: source.baseAddress! + (rowBase + left) * channels, count: count)
        destination += count
        continue
      }
      for kw in 0..<window.kernelWidth {
        let x = left + kw * window.dilationWidth
        if x >= 0, x < window.width {
          (columns.baseAddress! + destination).update(
            from: source.baseAddress! + (rowBase + x) * channels, count: channels)
        } else {
          (columns.baseAddress! + destination).update(repeating: 0, count: channels)
        }
        destination += channels
      }
    }
  }
}
