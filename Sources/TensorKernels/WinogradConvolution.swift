import CGEMM

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Float32 3×3 convolutions with stride and dilation 1 by Winograd's F(2×2, 3×3): each 2×2 block
/// of outputs costs 16 multiplies per input and output channel instead of im2col's 36, at the
/// price of three cheap transforms (see `CGEMM/winograd.c`). The 16 products per block of tiles
/// run on the same GEMM as im2col's single product.
///
/// The output's rows are cut into bands of whole tile rows (about `bandTiles` tiles each, and at
/// least four bands per core when there are enough rows); each core transforms, multiplies and
/// finishes its bands on its own, so the scratch stays in its caches, no product is split between
/// cores, and a fused epilogue runs on each band while it is in cache.
///
/// A layer with too few tiles for such bands (a small image at batch 1) runs as one band instead,
/// with each step shared among the cores: the 16 products go to the cores whole.
///
/// The transformed filter (16/9 of the filter's size) is made on the first call and kept with
/// the filter's buffer (`WinogradFilter`) for as long as the model holds the filter.
///
/// Tolerance class: rounding. The transforms add and subtract up to 16 terms, so results differ
/// from im2col's in the last bits, within the same tolerance against a direct sum. An input or filter
/// holding NaN, an infinity or a value beyond 2^50 goes to im2col instead: the transforms would mix
/// such a value into all four outputs of a tile (∞ − ∞ is NaN) or overflow, where TensorFlow's
/// direct sum affects only the outputs whose window holds it.
enum WinogradConvolution {
  /// Tiles per band: the scratch (16 transformed tiles per input and per output channel) stays
  /// within L2 for the channel counts where Winograd pays.
  static let bandTiles = 96

  /// `REGISTRY_CONV=im2col` turns this path off, for comparisons.
  static let enabled = getenv("REGISTRY_CONV").map { String(cString: $0) } != "im2col"

  /// Whether a convolution should go this way: a 3×3 window with stride and dilation 1, enough
  /// outputs and channels for the transforms to pay (below these, im2col measured as fast) but not
  /// more channels than `maximumChannels`, and no user-chosen OpenBLAS threads (the bands already
  /// use every core).
  static func suits(_ window: Window2D, outChannels: Int) -> Bool {
    enabled && !BLAS.userChoseThreads && window.kernelHeight == 3 && window.kernelWidth == 3
      && window.strideHeight == 1 && window.strideWidth == 1 && window.dilationHeight == 1
      && window.dilationWidth == 1 && window.outputHeight >= 14 && window.outputWidth >= 14
      && (16...maximumChannels).contains(window.channels) && (16...maximumChannels).contains(outChannels)
  }

  /// The most input or output channels taken: each core's scratch holds 16 transformed tiles per
  /// channel for a band, so this bounds it (at 2,048, 25 MB per core) whatever a model declares.
  static let maximumChannels = 2048

  /// The convolution of `input` (NHWC) with the 3×3 `filter` (HWIO), or nil when a value of either
  /// does not fit the transforms (see the type's note); `window` must be one that `suits`.
  static func convolve(
    _ input: Tensor, _ filter: Tensor, _ window: Window2D, _ outChannels: Int,
    epilogue: GEMMEpilogue<Float>?
  ) -> Tensor? {
    input.withElements(Float.self) { source -> Tensor? in
      filter.withElements(Float.self) { weights -> Tensor? in
        let transformed = WinogradFilter.of(filter, weights, channels: window.channels, outChannels: outChannels)
        guard let transformedWeights = transformed.values,
          cgemm_winograd_values_fit(source.baseAddress, source.count) == 1
        else { return nil }
        let shape = [window.batch, window.outputHeight, window.outputWidth, outChannels]
        let zeros = UnsafeMutablePointer<Float>.allocate(capacity: window.channels)
        zeros.initialize(repeating: 0, count: window.channels)
        defer { zeros.deallocate() }
        return withExtendedLifetime(transformed) {
          Tensor.makeOverwritten(Float.self, shape: shape) { output in
            let plan = Plan(
              window: window, outChannels: outChannels, source: source.baseAddress!, filter: transformedWeights,
              zeros: zeros, output: output.baseAddress!, epilogue: epilogue)
            plan.run()
          }
        }
      }
    }
  }

  /// Fewer tiles than this in a band leave the products too short to run at speed: a layer with
  /// too few tile rows to give every core such bands runs as one band whose 16 products are
  /// shared among the cores instead.
  static let minimumBandTiles = 32

  /// Whether `window`'s tiles run in bands, one core per band (else as one band, each step shared
  /// among the cores); for tests, which cover both.
  static func runsInBands(_ window: Window2D) -> Bool {
    let (down, across) = Plan.tiles(window)
    return Plan.bands(tileRows: window.batch * down, tilesAcross: across).banded
  }

  /// One convolution: how it is cut into bands of tile rows, and the three steps on a band.
  private struct Plan {
    let window: Window2D
    let outChannels: Int
    let source: UnsafePointer<Float>
    let filter: UnsafePointer<Float>
    let zeros: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let epilogue: GEMMEpilogue<Float>?
    let tilesDown: Int
    let tilesAcross: Int
    /// Tile rows over all images, each `tilesAcross` tiles.
    let tileRows: Int
    /// Each core works through whole bands of `rowsPerBand` tile rows; otherwise one band, each
    /// step shared among the cores.
    let banded: Bool
    let rowsPerBand: Int

    init(
      window: Window2D, outChannels: Int, source: UnsafePointer<Float>, filter: UnsafePointer<Float>,
      zeros: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, epilogue: GEMMEpilogue<Float>?
    ) {
      (self.window, self.outChannels, self.source, self.filter) = (window, outChannels, source, filter)
      (self.zeros, self.output, self.epilogue) = (zeros, output, epilogue)
      (tilesDown, tilesAcross) = Self.tiles(window)
      tileRows = window.batch * tilesDown
      (banded, rowsPerBand) = Self.bands(tileRows: tileRows, tilesAcross: tilesAcross)
    }

    /// The 2×2 tiles down and across one image's output (the last ones hang over an odd edge).
    static func tiles(_ window: Window2D) -> (down: Int, across: Int) {
      ((window.outputHeight + 1) / 2, (window.outputWidth + 1) / 2)
    }

    /// Whether `tileRows` rows of `tilesAcross` tiles run in bands, and of how many rows.
    static func bands(tileRows: Int, tilesAcross: Int) -> (banded: Bool, rowsPerBand: Int) {
      let forCache = Swift.max(1, WinogradConvolution.bandTiles / tilesAcross)
      let forBalance = Swift.max(1, (tileRows + Parallel.coreCount * 4 - 1) / (Parallel.coreCount * 4))
      let rows = Swift.min(forCache, forBalance)
      let banded = rows * tilesAcross >= WinogradConvolution.minimumBandTiles
      return (banded, banded ? rows : tileRows)
    }

    func run() {
      let channels = window.channels
      if banded {
        let bandCount = (tileRows + rowsPerBand - 1) / rowsPerBand
        let work = 16 * rowsPerBand * tilesAcross * channels * outChannels
        Parallel.forEachRange(bandCount, costPerItem: work) { bands in
          let inputs = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rowsPerBand * tilesAcross * channels)
          let products = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rowsPerBand * tilesAcross * outChannels)
          defer {
            inputs.deallocate()
            products.deallocate()
          }
          for band in bands {
            let rows = band * rowsPerBand..<Swift.min((band + 1) * rowsPerBand, tileRows)
            transformInput(rows, of: rows, into: inputs)
            multiply(positions: 0..<16, tiles: rows.count * tilesAcross, inputs, products)
            transformOutput(rows, of: rows, from: products)
          }
        }
        return
      }
      let all = 0..<tileRows
      let tiles = tileRows * tilesAcross
      let inputs = UnsafeMutablePointer<Float>.allocate(capacity: 16 * tiles * channels)
      let products = UnsafeMutablePointer<Float>.allocate(capacity: 16 * tiles * outChannels)
      defer {
        inputs.deallocate()
        products.deallocate()
      }
      Parallel.forEachRange(tileRows, costPerItem: 16 * tilesAcross * channels) { rows in
        transformInput(rows, of: all, into: inputs)
      }
      Parallel.forEachRange(16, costPerItem: tiles * channels * outChannels) { positions in
        multiply(positions: positions, tiles: tiles, inputs, products)
      }
      Parallel.forEachRange(tileRows, costPerItem: 16 * tilesAcross * outChannels) { rows in
        transformOutput(rows, of: all, from: products)
      }
    }

    /// The transformed input of tile rows `rows` of the band `band`, into the band's scratch.
    private func transformInput(_ rows: Range<Int>, of band: Range<Int>, into inputs: UnsafeMutablePointer<Float>) {
      let channels = window.channels
      let tiles = band.count * tilesAcross
      for row in rows {
        cgemm_winograd_input_row(
          source + (row / tilesDown) * window.height * window.width * channels, window.height, window.width,
          channels, (row % tilesDown) * 2 - window.rows.padBefore, -window.columns.padBefore, tilesAcross,
          zeros, inputs + (row - band.lowerBound) * tilesAcross * channels, tiles * channels)
      }
    }

    /// The products of the band's transformed input and filter at `positions`.
    private func multiply(
      positions: Range<Int>, tiles: Int, _ inputs: UnsafePointer<Float>, _ products: UnsafeMutablePointer<Float>
    ) {
      let channels = window.channels
      for position in positions {
        Float.blockProduct(
          transposeA: false, transposeB: false, m: tiles, n: outChannels, k: channels,
          a: inputs + position * tiles * channels, lda: channels,
          b: filter + position * channels * outChannels, ldb: outChannels,
          c: products + position * tiles * outChannels, ldc: outChannels)
      }
    }

    /// The outputs of tile rows `rows` of the band `band`, from the band's products, with the
    /// epilogue run on them.
    private func transformOutput(_ rows: Range<Int>, of band: Range<Int>, from products: UnsafePointer<Float>) {
      let tiles = band.count * tilesAcross
      for row in rows {
        cgemm_winograd_output_row(
          products + (row - band.lowerBound) * tilesAcross * outChannels, tiles * outChannels, tilesAcross,
          outChannels, output + (row / tilesDown) * window.outputHeight * window.outputWidth * outChannels,
          window.outputHeight, window.outputWidth, (row % tilesDown) * 2)
      }
      if let epilogue, !rows.isEmpty {
        // The rows' outputs are consecutive rows of the NHWC result (images follow each other).
        let first = outputRow(ofTileRow: rows.lowerBound, end: false)
        let end = outputRow(ofTileRow: rows.upperBound - 1, end: true)
        epilogue(output + first * outChannels, end - first, 0..<outChannels, outChannels)
      }
    }

    /// The first output row (a flattened `n, oh, ow` position) of a tile row, or the row just
    /// past its last one.
    private func outputRow(ofTileRow row: Int, end: Bool) -> Int {
      let image = row / tilesDown
      let top = (row % tilesDown) * 2
      let line = end ? Swift.min(top + 2, window.outputHeight) : top
      return (image * window.outputHeight + line) * window.outputWidth
    }
  }
}

/// A 3×3 filter's 16 transformed matrices (`cgemm_winograd_filter`), kept with the filter's buffer.
final class WinogradFilter: @unchecked Sendable {
  /// The filter's input and output depths, checked on each use: a reshaped tensor can share the
  /// buffer with other dimensions.
  let channels: Int
  let outChannels: Int
  /// `16·channels·outChannels` floats; nil when a weight does not fit the transforms (see
  /// `WinogradConvolution`), so the filter goes to im2col.
  let values: UnsafeMutablePointer<Float>?

  private init(channels: Int, outChannels: Int, weights: UnsafeBufferPointer<Float>) {
    self.channels = channels
    self.outChannels = outChannels
    guard cgemm_winograd_values_fit(weights.baseAddress, weights.count) == 1 else {
      values = nil
      return
    }
    let values = UnsafeMutablePointer<Float>.allocate(capacity: 16 * channels * outChannels)
    cgemm_winograd_filter(weights.baseAddress, channels, outChannels, values)
    self.values = values
  }

  deinit { values?.deallocate() }

  /// The transformed `filter` (whose elements are `weights`): the one kept with its buffer, or
  /// made now and kept there unless the buffer already keeps one of other dimensions.
  static func of(
    _ filter: Tensor, _ weights: UnsafeBufferPointer<Float>, channels: Int, outChannels: Int
  ) -> WinogradFilter {
    guard case .dense(let buffer) = filter.storage else {
      preconditionFailure("a float32 filter is dense")
    }
    let kept = buffer.winogradFilter.load()
    if let kept, kept.channels == channels, kept.outChannels == outChannels { return kept }
    let made = WinogradFilter(channels: channels, outChannels: outChannels, weights: weights)
    return kept == nil ? buffer.winogradFilter.storeIfNil(made) : made
  }
}
