#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Discrete Fourier transforms over the innermost one, two or three dimensions of a tensor.
///
/// Corresponds to the TensorFlow ops `FFT`, `IFFT`, `RFFT`, `IRFFT` and their `2D` and `3D`
/// forms. Every length works: lengths whose prime factors are all small run a mixed-radix
/// Cooley–Tukey transform, others Bluestein's chirp-z transform through a power-of-two one. The
/// arithmetic is `Double` throughout and each result is rounded once to the output's precision,
/// so a `complex64` result is within a few float32 ulps of the exact transform; TensorFlow's own
/// (DUCC, in float32) is within `O(ε·log n)` of it, which bounds the difference between the two
/// (see docs/inference.md, "Complex numbers and FFTs").
///
/// Twiddle factors that are exactly 1, −1, i or −i multiply exactly (no `∞·0`), so an infinite
/// input spreads infinities the way a direct sum does; a NaN spreads over every output of its line.
///
/// Tolerance class: rounding (`O(ε·log n)` relative to the largest magnitude of the line).
public enum FFT {
  /// A complex-to-complex transform of `x` (`complex64` or `complex128`) over its innermost
  /// `rank` dimensions; `inverse` divides by the number of points, as `IFFT` does.
  ///
  /// - Throws: `TensorError.invalidShape` when `x` has fewer than `rank` dimensions,
  ///   `.unsupportedDType` for a real input.
  public static func complex(_ x: Tensor, rank: Int, inverse: Bool, op: String) throws(TensorError) -> Tensor {
    guard x.dtype.isComplex else { throw .unsupportedDType(op: op, x.dtype) }
    guard x.rank >= rank else {
      throw .invalidArgument(
        op: op, reason: "Input must have rank of at least \(rank) but got: \(Shape.format(x.shape))")
    }
    var data = ComplexLines(x)
    let axes = Array((x.rank - rank)..<x.rank)
    for axis in axes { data.transform(axis: axis, inverse: inverse) }
    if inverse { data.scale(by: 1 / Double(axes.reduce(1) { $0 * x.shape[$1] })) }
    return data.tensor(x.dtype)
  }

  /// `RFFT`: the transform of the real `x` cropped to `lengths` in its innermost dimensions; the
  /// innermost output dimension keeps the `n / 2 + 1` non-redundant bins.
  ///
  /// TensorFlow's kernel crops but does not pad (the Python `tf.signal.rfft` pads with a `Pad` op
  /// first), so a dimension shorter than its length is refused with TensorFlow's message.
  ///
  /// - Parameters:
  ///   - x: `float32` (giving `complex64`) or `float64` (giving `complex128`).
  ///   - lengths: `fft_length`, one positive length per transformed dimension.
  ///   - output: the complex dtype to produce (`Tcomplex`).
  public static func real(_ x: Tensor, lengths: [Int], output: DType, op: String) throws(TensorError) -> Tensor {
    guard x.dtype.isFloatingPoint, output.isComplex else { throw .unsupportedDType(op: op, x.dtype) }
    let rank = lengths.count
    try checkLengths(x.shape, lengths, op: op)
    var cropped = x.shape
    for (i, n) in lengths.enumerated() { cropped[x.rank - rank + i] = n }
    var outputShape = cropped
    outputShape[x.rank - 1] = lengths[rank - 1] / 2 + 1
    try Shape.checkAllocation(cropped, elementSize: 32, op: op) { "the transform of shape \(Shape.format(cropped))" }
    try Shape.checkAllocation(outputShape, dtype: output, op: op)
    let values = Cast.convert(x, to: .float64).elements(Double.self)
    var data = ComplexLines(shape: cropped)
    data.copy(from: x.shape, cropping: { index in (values[index], 0) })
    for axis in (x.rank - rank)..<x.rank { data.transform(axis: axis, inverse: false) }
    return data.cropped(to: outputShape).tensor(output)
  }

  /// `IRFFT`: the real signal of `lengths` points whose non-redundant bins are `x`'s innermost
  /// dimensions, cropped to `lengths` (the innermost to `n / 2 + 1`).
  ///
  /// The outer dimensions are inverted as complex transforms, then the innermost line is extended
  /// to a Hermitian one: the imaginary parts of its DC bin and (for even `n`) its Nyquist bin are
  /// ignored, as TensorFlow's complex-to-real transform ignores them.
  public static func inverseReal(_ x: Tensor, lengths: [Int], output: DType, op: String) throws(TensorError)
    -> Tensor
  {
    guard x.dtype.isComplex, output.isFloatingPoint else { throw .unsupportedDType(op: op, x.dtype) }
    let rank = lengths.count
    let inner = lengths[rank - 1]
    var needed = lengths
    needed[rank - 1] = inner / 2 + 1
    try checkLengths(x.shape, lengths, needed: needed, op: op)
    var outputShape = x.shape
    for (i, n) in lengths.enumerated() { outputShape[x.rank - rank + i] = n }
    try Shape.checkAllocation(outputShape, elementSize: 32, op: op) {
      "the transform of shape \(Shape.format(outputShape))"
    }
    try Shape.checkAllocation(outputShape, dtype: output, op: op)
    let source = ComplexLines(x)
    var data = ComplexLines(shape: outputShape)
    // The kept bins go in place; the rest of each innermost line is filled below.
    data.copy(
      from: x.shape, cropping: { index in (source.real[index], source.imag[index]) }, innerLimit: needed[rank - 1])
    for axis in (x.rank - rank)..<(x.rank - 1) { data.transform(axis: axis, inverse: true) }
    data.extendHermitian()
    data.transform(axis: x.rank - 1, inverse: true)
    data.scale(by: 1 / Double(lengths.reduce(1, *)))
    let reals = data.real
    let result = Tensor.make(Double.self, shape: outputShape) { out in
      for index in out.indices { out[index] = reals[index] }
    }
    return Cast.convert(result, to: output)
  }

  /// TensorFlow's checks: every length non-negative and no longer than the input dimension it
  /// reads (`needed`, the lengths themselves for the forward transforms).
  private static func checkLengths(_ shape: [Int], _ lengths: [Int], needed: [Int]? = nil, op: String)
    throws(TensorError)
  {
    let rank = lengths.count
    guard shape.count >= rank else {
      throw .invalidArgument(op: op, reason: "Input must have rank of at least \(rank) but got: \(Shape.format(shape))")
    }
    for (i, n) in lengths.enumerated() {
      guard n >= 0 else { throw .invalidArgument(op: op, reason: "fft_length[\(i)] must >= 0, but got: \(n)") }
      // DUCC aborts the process on a zero-point transform; refuse it instead.
      guard n > 0 else {
        throw .invalidArgument(op: op, reason: "fft_length[\(i)] is 0: a zero-point FFT is undefined")
      }
      let axis = shape.count - rank + i
      let want = needed?[i] ?? n
      guard shape[axis] >= want else {
        throw .invalidArgument(
          op: op, reason: "Input dimension \(axis) must have length of at least \(want) but got: \(shape[axis])")
      }
    }
  }
}

/// A tensor's elements as separate `Double` real and imaginary arrays, transformed line by line.
struct ComplexLines {
  var shape: [Int]
  var real: [Double]
  var imag: [Double]

  init(shape: [Int]) {
    self.shape = shape
    let count = Shape.elementCount(shape)
    real = [Double](repeating: 0, count: count)
    imag = [Double](repeating: 0, count: count)
  }

  init(_ x: Tensor) {
    self.init(shape: x.shape)
    switch x.dtype {
    case .complex64:
      x.withElements(Complex64.self) { values in
        for (i, value) in values.enumerated() { (real[i], imag[i]) = (Double(value.real), Double(value.imag)) }
      }
    default:
      x.withElements(Complex128.self) { values in
        for (i, value) in values.enumerated() { (real[i], imag[i]) = (value.real, value.imag) }
      }
    }
  }

  /// Fills this (smaller or equal) shape from a source of `sourceShape`, reading `value(index)`
  /// at the source's flat index of each position; positions of the innermost dimension at or
  /// past `innerLimit` are left zero.
  mutating func copy(
    from sourceShape: [Int], cropping value: (Int) -> (Double, Double), innerLimit: Int = .max
  ) {
    let count = real.count
    guard count > 0 else { return }
    let rank = shape.count
    var sourceStrides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) {
      sourceStrides[axis] = sourceStrides[axis + 1] * sourceShape[axis + 1]
    }
    let innerCount = shape.last ?? 1
    let take = min(innerCount, innerLimit)
    var counter = [Int](repeating: 0, count: max(rank - 1, 0))
    var position = 0
    while position < count {
      var base = 0
      for axis in 0..<counter.count { base += counter[axis] * sourceStrides[axis] }
      for i in 0..<take { (real[position + i], imag[position + i]) = value(base + i) }
      position += innerCount
      var axis = counter.count - 1
      while axis >= 0 {
        counter[axis] += 1
        if counter[axis] < shape[axis] { break }
        counter[axis] = 0
        axis -= 1
      }
    }
  }

  /// The leading part of every dimension, as `shape` (each no larger).
  func cropped(to target: [Int]) -> ComplexLines {
    if target == shape { return self }
    var result = ComplexLines(shape: target)
    let (re, im) = (real, imag)
    result.copy(from: shape, cropping: { (re[$0], im[$0]) })
    return result
  }

  mutating func scale(by factor: Double) {
    for i in real.indices {
      real[i] *= factor
      imag[i] *= factor
    }
  }

  /// Completes each innermost line from its first `n / 2 + 1` values as the spectrum of a real
  /// signal: `X[n - k] = conj(X[k])`, with the DC and Nyquist bins made real.
  mutating func extendHermitian() {
    guard let n = shape.last, n > 0 else { return }
    for start in stride(from: 0, to: real.count, by: n) {
      imag[start] = 0
      if n % 2 == 0 { imag[start + n / 2] = 0 }
      var k = n / 2 + 1
      while k < n {
        real[start + k] = real[start + n - k]
        imag[start + k] = -imag[start + n - k]
        k += 1
      }
    }
  }

  /// Transforms every line along `axis` in place (unscaled).
  mutating func transform(axis: Int, inverse: Bool) {
    let n = shape[axis]
    guard n > 1, !real.isEmpty else { return }
    let inner = shape[(axis + 1)...].reduce(1, *)
    let outer = real.count / (n * inner)
    let plan = FFTPlan.make(n)
    let lines = outer * inner
    let cost = n * max(1, Int(log2(Double(n)))) * 8
    real.withUnsafeMutableBufferPointer { re in
      imag.withUnsafeMutableBufferPointer { im in
        let (re, im) = (re, im)
        Parallel.forEachRange(lines, costPerItem: cost) { range in
          var workRe = [Double](repeating: 0, count: n)
          var workIm = [Double](repeating: 0, count: n)
          for line in range {
            let base = (line / inner) * n * inner + line % inner
            for i in 0..<n {
              workRe[i] = re[base + i * inner]
              // The inverse is the conjugate of the forward transform of the conjugate.
              workIm[i] = inverse ? -im[base + i * inner] : im[base + i * inner]
            }
            plan.forward(&workRe, &workIm)
            for i in 0..<n {
              re[base + i * inner] = workRe[i]
              im[base + i * inner] = inverse ? -workIm[i] : workIm[i]
            }
          }
        }
      }
    }
  }

  /// The elements rounded to a complex dtype.
  func tensor(_ dtype: DType) -> Tensor {
    let (re, im) = (real, imag)
    if dtype == .complex128 {
      return Tensor.make(Complex128.self, shape: shape) { out in
        for i in out.indices { out[i] = Complex128(re[i], im[i]) }
      }
    }
    return Tensor.make(Complex64.self, shape: shape) { out in
      for i in out.indices { out[i] = Complex64(Float(re[i]), Float(im[i])) }
    }
  }
}

/// A forward transform of one length: mixed-radix Cooley–Tukey when every prime factor is at
/// most `largestDirectFactor`, Bluestein otherwise.
final class FFTPlan: @unchecked Sendable {
  /// Past this a prime factor's O(p²) butterflies cost more than Bluestein's three power-of-two
  /// transforms.
  static let largestDirectFactor = 64

  let n: Int
  /// The prime factors of `n`, smallest first (mixed radix), or empty (Bluestein).
  let factors: [Int]
  /// `e^(-2πik/n)` for `k < n` (mixed radix).
  let cosines: [Double]
  let sines: [Double]
  /// Bluestein: the chirp `e^(-iπk²/n)`, the power-of-two plan, and the transformed filter.
  let chirpRe: [Double]
  let chirpIm: [Double]
  let inner: FFTPlan?
  let filterRe: [Double]
  let filterIm: [Double]

  static func make(_ n: Int) -> FFTPlan { FFTPlan(n) }

  private init(_ n: Int) {
    self.n = n
    var factors: [Int] = []
    var rest = n
    var p = 2
    while p * p <= rest {
      while rest % p == 0 {
        factors.append(p)
        rest /= p
      }
      p += 1
    }
    if rest > 1 { factors.append(rest) }
    if (factors.max() ?? 1) <= Self.largestDirectFactor {
      self.factors = factors
      (cosines, sines) = Self.unitRoots(n)
      (chirpRe, chirpIm, filterRe, filterIm) = ([], [], [], [])
      inner = nil
      return
    }
    self.factors = []
    (cosines, sines) = ([], [])
    var m = 1
    while m < 2 * n - 1 { m *= 2 }
    let plan = FFTPlan(m)
    // k² mod 2n, kept exact by stepping (k + 1)² = k² + 2k + 1.
    var chirpRe = [Double](repeating: 0, count: n)
    var chirpIm = [Double](repeating: 0, count: n)
    var square = 0
    for k in 0..<n {
      let angle = Double.pi * Double(square) / Double(n)
      (chirpRe[k], chirpIm[k]) = (cos(angle), -sin(angle))
      square = (square + 2 * k + 1) % (2 * n)
    }
    var bRe = [Double](repeating: 0, count: m)
    var bIm = [Double](repeating: 0, count: m)
    bRe[0] = chirpRe[0]
    bIm[0] = -chirpIm[0]
    for k in 1..<n {
      (bRe[k], bIm[k]) = (chirpRe[k], -chirpIm[k])
      (bRe[m - k], bIm[m - k]) = (chirpRe[k], -chirpIm[k])
    }
    plan.forward(&bRe, &bIm)
    (self.chirpRe, self.chirpIm, self.filterRe, self.filterIm, self.inner) = (chirpRe, chirpIm, bRe, bIm, plan)
  }

  /// `e^(-2πik/n)` for every `k`, with the quarter turns exact.
  private static func unitRoots(_ n: Int) -> ([Double], [Double]) {
    var c = [Double](repeating: 0, count: n)
    var s = [Double](repeating: 0, count: n)
    for k in 0..<n {
      if k == 0 {
        (c[k], s[k]) = (1, 0)
      } else if 2 * k == n {
        (c[k], s[k]) = (-1, 0)
      } else if 4 * k == n {
        (c[k], s[k]) = (0, -1)
      } else if 4 * k == 3 * n {
        (c[k], s[k]) = (0, 1)
      } else {
        let angle = -2 * Double.pi * Double(k) / Double(n)
        (c[k], s[k]) = (cos(angle), sin(angle))
      }
    }
    return (c, s)
  }

  /// Transforms `re`, `im` (each `n` long) in place.
  func forward(_ re: inout [Double], _ im: inout [Double]) {
    if let inner { return bluestein(&re, &im, inner) }
    var outRe = [Double](repeating: 0, count: n)
    var outIm = [Double](repeating: 0, count: n)
    re.withUnsafeBufferPointer { xr in
      im.withUnsafeBufferPointer { xi in
        outRe.withUnsafeMutableBufferPointer { yr in
          outIm.withUnsafeMutableBufferPointer { yi in
            recurse(xr.baseAddress!, xi.baseAddress!, 0, 1, n, 0, yr.baseAddress!, yi.baseAddress!)
          }
        }
      }
    }
    re = outRe
    im = outIm
  }

  /// `(a + bi)·w^index`, multiplying exactly when `w^index` is 1, −1, −i or i.
  @inline(__always)
  private func rotate(_ a: Double, _ b: Double, _ index: Int) -> (Double, Double) {
    if index == 0 { return (a, b) }
    let (c, s) = (cosines[index], sines[index])
    if s == 0 { return c == 1 ? (a, b) : (-a, -b) }
    if c == 0 { return s == -1 ? (b, -a) : (-b, a) }
    return (a * c - b * s, a * s + b * c)
  }

  /// The length-`length` transform of `x[offset + stride·j]`, written to `y[0..<length]`, using
  /// `factors[factor...]`: decimation in time, one prime radix per level.
  private func recurse(
    _ xr: UnsafePointer<Double>, _ xi: UnsafePointer<Double>, _ offset: Int, _ stride: Int, _ length: Int,
    _ factor: Int, _ yr: UnsafeMutablePointer<Double>, _ yi: UnsafeMutablePointer<Double>
  ) {
    if length == 1 {
      yr[0] = xr[offset]
      yi[0] = xi[offset]
      return
    }
    let p = factors[factor]
    let m = length / p
    for r in 0..<p {
      recurse(xr, xi, offset + r * stride, stride * p, m, factor + 1, yr + r * m, yi + r * m)
    }
    // Butterflies: X[k + q·m] = Σ_r (w_length^(r·k) · Y_r[k]) · w_p^(r·q), w_length = w_n^(n/length).
    let step = n / length
    if p == 2 {
      // The radix-2 butterfly without the general loop's scratch: X[k] = a + w·b, X[k + m] = a − w·b.
      for k in 0..<m {
        let (bRe, bIm) = rotate(yr[m + k], yi[m + k], k * step)
        let (aRe, aIm) = (yr[k], yi[k])
        (yr[k], yi[k]) = (aRe + bRe, aIm + bIm)
        (yr[m + k], yi[m + k]) = (aRe - bRe, aIm - bIm)
      }
      return
    }
    let pStep = n / p
    var tRe = [Double](repeating: 0, count: p)
    var tIm = [Double](repeating: 0, count: p)
    var sRe = [Double](repeating: 0, count: p)
    var sIm = [Double](repeating: 0, count: p)
    for k in 0..<m {
      for r in 0..<p { (tRe[r], tIm[r]) = rotate(yr[r * m + k], yi[r * m + k], r * k * step) }
      for q in 0..<p {
        var sumRe = tRe[0]
        var sumIm = tIm[0]
        for r in 1..<p {
          let (a, b) = rotate(tRe[r], tIm[r], ((r * q) % p) * pStep)
          sumRe += a
          sumIm += b
        }
        (sRe[q], sIm[q]) = (sumRe, sumIm)
      }
      // Slots k + q·m are exactly the Y_r[k] read above, so column k is rewritten in place.
      for q in 0..<p { (yr[q * m + k], yi[q * m + k]) = (sRe[q], sIm[q]) }
    }
  }

  /// Bluestein: `X[k] = c[k] · Σ_j (x[j] c[j]) · conj(c[k - j])` with the chirp `c`, the
  /// convolution done as a product of power-of-two transforms.
  private func bluestein(_ re: inout [Double], _ im: inout [Double], _ plan: FFTPlan) {
    let m = plan.n
    var aRe = [Double](repeating: 0, count: m)
    var aIm = [Double](repeating: 0, count: m)
    for k in 0..<n {
      aRe[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k]
      aIm[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k]
    }
    plan.forward(&aRe, &aIm)
    // Multiply by the filter, conjugating for the inverse transform done as a forward one.
    for k in 0..<m {
      let (a, b) = (aRe[k], aIm[k])
      aRe[k] = a * filterRe[k] - b * filterIm[k]
      aIm[k] = -(a * filterIm[k] + b * filterRe[k])
    }
    plan.forward(&aRe, &aIm)
    let scale = 1 / Double(m)
    for k in 0..<n {
      let (a, b) = (aRe[k] * scale, -aIm[k] * scale)
      re[k] = a * chirpRe[k] - b * chirpIm[k]
      im[k] = a * chirpIm[k] + b * chirpRe[k]
    }
  }
}
