#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Philox-4x32-10 counter-based generator (Salmon et al., "Parallel Random Numbers: As Easy
/// as 1, 2, 3"), as TensorFlow's `PhiloxRandom` runs it: each call encrypts the 128-bit counter
/// with the 64-bit key in ten rounds, returns the four 32-bit words, and adds one to the counter.
///
/// The stateless random ops are pure functions of this state, so the same seed gives the same
/// numbers here as in TensorFlow.
public struct Philox: Sendable, Equatable {
  /// The 128-bit counter, least significant word first.
  public var counter: SIMD4<UInt32>
  /// The 64-bit key, least significant word first.
  public var key: SIMD2<UInt32>

  public init(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) {
    self.counter = counter
    self.key = key
  }

  /// The state the V2 ops read from their `key` (one uint64) and `counter` (two uint64, more
  /// are ignored) inputs: each word split into its low then high half.
  public init(key: UInt64, counter: (UInt64, UInt64)) {
    self.key = SIMD2(UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
    self.counter = SIMD4(
      UInt32(truncatingIfNeeded: counter.0), UInt32(truncatingIfNeeded: counter.0 >> 32),
      UInt32(truncatingIfNeeded: counter.1), UInt32(truncatingIfNeeded: counter.1 >> 32))
  }

  /// The state a two-element seed gives (TensorFlow's `GenerateKey`): the seeds, as a counter,
  /// are encrypted once under a fixed key, so that neither half of the seed needs to be strong;
  /// two words of the result become the key, the other two the counter's upper half.
  ///
  /// An int32 seed is sign-extended to 64 bits first, as TensorFlow converts it.
  public init(seed0: UInt64, seed1: UInt64) {
    var mixer = Philox(
      counter: SIMD4(
        UInt32(truncatingIfNeeded: seed0), UInt32(truncatingIfNeeded: seed0 >> 32),
        UInt32(truncatingIfNeeded: seed1), UInt32(truncatingIfNeeded: seed1 >> 32)),
      key: SIMD2(0x3EC8_F720, 0x0246_1E29))
    let mix = mixer.next()
    self.key = SIMD2(mix[0], mix[1])
    self.counter = SIMD4(0, 0, mix[2], mix[3])
  }

  /// The key as the V2 ops' `key` tensor holds it.
  public var keyWord: UInt64 { UInt64(key[0]) | UInt64(key[1]) << 32 }

  /// The counter as the V2 ops' `counter` tensor holds it.
  public var counterWords: [UInt64] {
    [UInt64(counter[0]) | UInt64(counter[1]) << 32, UInt64(counter[2]) | UInt64(counter[3]) << 32]
  }

  /// The next four words; the counter moves on by one.
  public mutating func next() -> SIMD4<UInt32> {
    var block = counter
    var roundKey = key
    for round in 0..<10 {
      block = Self.round(block, roundKey)
      if round < 9 { roundKey &+= SIMD2(0x9E37_79B9, 0xBB67_AE85) }
    }
    skip(1)
    return block
  }

  /// Moves the counter on by `count` blocks (a 128-bit addition).
  public mutating func skip(_ count: UInt64) {
    var carry: UInt64 = count
    for index in 0..<4 where carry != 0 {
      let sum = UInt64(counter[index]) + (carry & 0xFFFF_FFFF)
      counter[index] = UInt32(truncatingIfNeeded: sum)
      carry = (carry >> 32) + (sum >> 32)
    }
  }

  private static func round(_ block: SIMD4<UInt32>, _ key: SIMD2<UInt32>) -> SIMD4<UInt32> {
    let product0 = UInt64(0xD251_1F53) * UInt64(block[0])
    let product1 = UInt64(0xCD9E_8D57) * UInt64(block[2])
    return SIMD4(
      UInt32(truncatingIfNeeded: product1 >> 32) ^ block[1] ^ key[0], UInt32(truncatingIfNeeded: product1),
      UInt32(truncatingIfNeeded: product0 >> 32) ^ block[3] ^ key[1], UInt32(truncatingIfNeeded: product0))
  }
}

/// TensorFlow's stateless random ops on the CPU (`stateless_random_ops.cc`,
/// `stateless_random_ops_v2.cc`, `random_distributions.h`), bit for bit.
///
/// The output is filled in groups: a group is the values one Philox block gives (four 32-bit
/// values, two 64-bit ones), and group `g` uses the block at counter + `g`, whatever thread
/// TensorFlow gives it, so the element order is fixed. A truncated normal draws a variable number
/// of blocks per group, so group `g` starts `g × 256 / 4 × group size` blocks in (TensorFlow
/// reserves 256 draws per value) and its unused draws are dropped.
public enum StatelessRandom {
  /// The real-valued distributions.
  public enum Distribution: Sendable {
    /// Uniform on [0, 1): random mantissa bits under the exponent of 1, minus 1.
    case uniform
    /// Standard normal, by the Box-Muller transform.
    case normal
    /// Standard normal with values of magnitude 2 or more redrawn.
    case truncatedNormal
  }

  /// A `dtype` tensor of `shape` drawn from `distribution`; float16, bfloat16, float32, float64.
  ///
  /// - Throws: `unsupportedDType` for other dtypes; `limitExceeded` for an output past the limits.
  public static func sample(
    _ distribution: Distribution, dtype: DType, shape: [Int], generator: Philox, op: String
  ) throws(TensorError) -> Tensor {
    try Shape.checkAllocation(shape, dtype: dtype, op: op)
    let count = Shape.elementCount(shape)
    switch dtype {
    case .float32:
      return Tensor.make(Float.self, shape: shape) { out in
        fill32(distribution, out.count, generator) { out[$0] = $1 }
      }
    case .float16:
      return Tensor.make(Float16Bits.self, shape: shape) { out in
        fill32(distribution, out.count, generator, mantissaBits: 10) {
          out[$0] = Float16Bits(bitPattern: HalfPrecision.halfBits($1))
        }
      }
    case .bfloat16:
      return Tensor.make(BFloat16Bits.self, shape: shape) { out in
        fill32(distribution, out.count, generator, mantissaBits: 7) {
          out[$0] = BFloat16Bits(bitPattern: HalfPrecision.bfloat16Bits($1))
        }
      }
    case .float64:
      return Tensor.make(Double.self, shape: shape) { out in
        fill64(distribution, count, generator) { out[$0] = $1 }
      }
    default:
      throw .unsupportedDType(op: op, dtype)
    }
  }

  /// An int32 or int64 tensor uniform on [`minval`, `maxval`): each draw (32 or 64 bits) modulo
  /// the range, added to `minval`, as TensorFlow does (slightly biased when the range does not
  /// divide 2³² or 2⁶⁴).
  ///
  /// - Throws: `invalidArgument` unless `minval < maxval` (for a non-empty output);
  ///   `unsupportedDType` for other dtypes.
  public static func uniformInt(
    dtype: DType, shape: [Int], minval: Int64, maxval: Int64, generator: Philox, op: String
  ) throws(TensorError) -> Tensor {
    try Shape.checkAllocation(shape, dtype: dtype, op: op)
    guard dtype == .int32 || dtype == .int64 else { throw .unsupportedDType(op: op, dtype) }
    let count = Shape.elementCount(shape)
    if count > 0 && minval >= maxval {
      throw .invalidArgument(op: op, reason: "Need minval < maxval, got \(minval) >= \(maxval)")
    }
    var generator = generator
    if dtype == .int32 {
      let low = Int32(truncatingIfNeeded: minval)
      let range = UInt32(truncatingIfNeeded: maxval) &- UInt32(truncatingIfNeeded: minval)
      return Tensor.make(Int32.self, shape: shape) { out in
        for start in stride(from: 0, to: count, by: 4) {
          let block = generator.next()
          for lane in 0..<min(4, count - start) {
            out[start + lane] = low &+ Int32(bitPattern: block[lane] % range)
          }
        }
      }
    }
    let range = UInt64(bitPattern: maxval) &- UInt64(bitPattern: minval)
    return Tensor.make(Int64.self, shape: shape) { out in
      for start in stride(from: 0, to: count, by: 2) {
        let block = generator.next()
        for lane in 0..<min(2, count - start) {
          let bits = UInt64(block[2 * lane]) | UInt64(block[2 * lane + 1]) << 32
          out[start + lane] = minval &+ Int64(bitPattern: bits % range)
        }
      }
    }
  }

  /// An int32, int64, uint32 or uint64 tensor of raw draws: every value of the dtype equally
  /// likely (32-bit types one word per value, 64-bit ones two, low word first).
  public static func uniformFullInt(dtype: DType, shape: [Int], generator: Philox, op: String) throws(TensorError)
    -> Tensor
  {
    try Shape.checkAllocation(shape, dtype: dtype, op: op)
    let count = Shape.elementCount(shape)
    var generator = generator
    func words32() -> [UInt32] {
      var words: [UInt32] = []
      words.reserveCapacity(count)
      while words.count < count {
        let block = generator.next()
        for lane in 0..<min(4, count - words.count) { words.append(block[lane]) }
      }
      return words
    }
    func words64() -> [UInt64] {
      var words: [UInt64] = []
      words.reserveCapacity(count)
      while words.count < count {
        let block = generator.next()
        for lane in 0..<min(2, count - words.count) {
          words.append(UInt64(block[2 * lane]) | UInt64(block[2 * lane + 1]) << 32)
        }
      }
      return words
    }
    switch dtype {
    case .uint32: return Tensor(uint32: words32(), shape: shape)
    case .int32: return Tensor(int32: words32().map { Int32(bitPattern: $0) }, shape: shape)
    case .uint64: return Tensor(uint64: words64(), shape: shape)
    case .int64: return Tensor(int64: words64().map { Int64(bitPattern: $0) }, shape: shape)
    default: throw .unsupportedDType(op: op, dtype)
    }
  }

  /// `samples` class indices per row of `logits` ([batch, classes]), each class drawn with
  /// probability proportional to `exp(logit)` (TensorFlow's `MultinomialFunctor`): the
  /// unnormalised CDF of the finite logits in float64, after subtracting the row's largest
  /// finite logit, searched with a uniform float64 (two words) times its total.
  ///
  /// The rows draw from one sequence of words, as TensorFlow does on one intra-op thread; with
  /// more it splits a large batch, each part starting `row × (samples + 3) / 4` blocks in, which
  /// makes its own result depend on the thread count.
  ///
  /// - Throws: `invalidArgument` for logits that are not a matrix, no classes or a negative
  ///   sample count (TensorFlow's messages); `limitExceeded` for an output past the limits.
  public static func multinomial(
    logits: Tensor, samples: Int, outputType: DType, generator: Philox, op: String
  ) throws(TensorError) -> Tensor {
    guard logits.rank == 2 else {
      throw .invalidArgument(op: op, reason: "logits should be a matrix, got shape \(Shape.format(logits.shape))")
    }
    let (batch, classes) = (logits.shape[0], logits.shape[1])
    guard classes > 0 else {
      throw .invalidArgument(op: op, reason: "num_classes should be positive, got \(classes)")
    }
    guard samples >= 0 else {
      throw .invalidArgument(op: op, reason: "num_samples should be non-negative, got \(samples)")
    }
    guard outputType == .int32 || outputType == .int64 else { throw .unsupportedDType(op: op, outputType) }
    try Shape.checkAllocation([batch, samples], dtype: outputType, op: op)
    let values: [Double]
    let lowest: Double
    switch logits.dtype {
    case .float64: (values, lowest) = (try logits.doubles(), -Double.greatestFiniteMagnitude)
    case .float32: (values, lowest) = (try logits.floats().map(Double.init), Double(-Float.greatestFiniteMagnitude))
    case .float16: (values, lowest) = (try logits.floats().map(Double.init), -65504)
    case .bfloat16:
      (values, lowest) = (try logits.floats().map(Double.init), Double(Float(bitPattern: 0xFF7F_0000)))
    default: throw .unsupportedDType(op: op, logits.dtype)
    }
    var draws = SingleDraws(generator, skipping: 0)
    var indices: [Int64] = []
    indices.reserveCapacity(batch * samples)
    var cdf = [Double](repeating: 0, count: classes)
    for row in 0..<batch where samples > 0 {
      let logitsRow = values[(row * classes)..<((row + 1) * classes)]
      let largest = logitsRow.reduce(lowest) { $1.isFinite ? max($0, $1) : $0 }
      var total = 0.0
      for (column, logit) in logitsRow.enumerated() {
        if logit.isFinite { total += exp(logit - largest) }
        cdf[column] = total
      }
      for _ in 0..<samples {
        let target = draws.nextDouble() * total
        // The first class whose cumulative weight exceeds the target (`std::upper_bound`).
        var (low, high) = (0, classes)
        while low < high {
          let middle = (low + high) / 2
          if cdf[middle] <= target { low = middle + 1 } else { high = middle }
        }
        indices.append(Int64(low))
      }
    }
    let shape = [batch, samples]
    return outputType == .int64
      ? Tensor(int64: indices, shape: shape)
      : Tensor(int32: indices.map { Int32(truncatingIfNeeded: $0) }, shape: shape)
  }

  // MARK: - Filling

  /// Draws `count` values of a 32-bit-or-narrower distribution (computed in `Float`) and hands
  /// each to `store` with its index. A uniform float16 or bfloat16 takes only its mantissa's
  /// width of low bits from each word (TensorFlow's `Uint16ToHalf`, `Uint16ToGfloat16`), so its
  /// values are exact in `Float`.
  private static func fill32(
    _ distribution: Distribution, _ count: Int, _ generator: Philox, mantissaBits: Int = 23,
    _ store: (Int, Float) -> Void
  ) {
    var generator = generator
    switch distribution {
    case .uniform:
      let mask = UInt32(1) << mantissaBits - 1
      let scale = Float(sign: .plus, exponent: -mantissaBits, significand: 1)
      for start in stride(from: 0, to: count, by: 4) {
        let block = generator.next()
        for lane in 0..<min(4, count - start) {
          let value = mantissaBits == 23 ? uniformFloat(block[lane]) : Float(block[lane] & mask) * scale
          store(start + lane, value)
        }
      }
    case .normal:
      for start in stride(from: 0, to: count, by: 4) {
        let block = generator.next()
        let (a, b) = boxMuller(block[0], block[1])
        let (c, d) = boxMuller(block[2], block[3])
        let values = SIMD4(a, b, c, d)
        for lane in 0..<min(4, count - start) { store(start + lane, values[lane]) }
      }
    case .truncatedNormal:
      for (group, start) in stride(from: 0, to: count, by: 4).enumerated() {
        var draws = SingleDraws(generator, skipping: UInt64(group) * 256)
        var produced = 0
        let wanted = min(4, count - start)
        // TensorFlow fills all four values of a group even when fewer are kept.
        while produced < 4 {
          let (a, b) = boxMuller(draws.next(), draws.next())
          for value in [a, b] where abs(value) < 2 && produced < 4 {
            if produced < wanted { store(start + produced, value) }
            produced += 1
          }
        }
      }
    }
  }

  /// Draws `count` float64 values, two per Philox block.
  private static func fill64(
    _ distribution: Distribution, _ count: Int, _ generator: Philox, _ store: (Int, Double) -> Void
  ) {
    var generator = generator
    switch distribution {
    case .uniform:
      for start in stride(from: 0, to: count, by: 2) {
        let block = generator.next()
        store(start, uniformDouble(block[0], block[1]))
        if start + 1 < count { store(start + 1, uniformDouble(block[2], block[3])) }
      }
    case .normal:
      for start in stride(from: 0, to: count, by: 2) {
        let block = generator.next()
        let (a, b) = boxMuller(block[0], block[1], block[2], block[3])
        store(start, a)
        if start + 1 < count { store(start + 1, b) }
      }
    case .truncatedNormal:
      for (group, start) in stride(from: 0, to: count, by: 2).enumerated() {
        var draws = SingleDraws(generator, skipping: UInt64(group) * 128)
        var produced = 0
        let wanted = min(2, count - start)
        while produced < 2 {
          let (a, b) = boxMuller(draws.next(), draws.next(), draws.next(), draws.next())
          for value in [a, b] where abs(value) < 2 && produced < 2 {
            if produced < wanted { store(start + produced, value) }
            produced += 1
          }
        }
      }
    }
  }

  /// One 32-bit word at a time from a generator (TensorFlow's `SingleSampleAdapter`).
  struct SingleDraws {
    var generator: Philox
    var block = SIMD4<UInt32>()
    var used = 4

    init(_ generator: Philox, skipping blocks: UInt64) {
      self.generator = generator
      self.generator.skip(blocks)
    }

    mutating func next() -> UInt32 {
      if used == 4 {
        block = generator.next()
        used = 0
      }
      used += 1
      return block[used - 1]
    }

    /// A float64 uniform on [0, 1) from the next two words (`SimplePhilox::RandDouble`).
    mutating func nextDouble() -> Double {
      let high = next()
      return StatelessRandom.uniformDouble(high, next())
    }
  }

  // MARK: - Conversions (random_distributions_utils.h)

  /// 23 random mantissa bits under exponent 0, minus 1: a float in [0, 1).
  static func uniformFloat(_ word: UInt32) -> Float {
    Float(bitPattern: 127 << 23 | word & 0x7F_FFFF) - 1
  }

  /// 52 random mantissa bits (20 from `high`, all of `low`) under exponent 0, minus 1.
  static func uniformDouble(_ high: UInt32, _ low: UInt32) -> Double {
    Double(bitPattern: 1023 << 52 | UInt64(high & 0xF_FFFF) << 32 | UInt64(low)) - 1
  }

  /// Box-Muller in float32 (`BoxMullerFloat`): the angle is 2π (a double) times the uniform,
  /// rounded to float; `logf`, `sqrtf`, `sinf` and `cosf` as the C library computes them.
  static func boxMuller(_ x0: UInt32, _ x1: UInt32) -> (Float, Float) {
    let u1 = max(uniformFloat(x0), 1.0e-7)
    let angle = Float(2 * Double.pi * Double(uniformFloat(x1)))
    let radius = sqrtf(-2 * logf(u1))
    // glibc's sincosf shares sinf's and cosf's code, so the two calls give its results.
    return (sinf(angle) * radius, cosf(angle) * radius)
  }

  /// Box-Muller in float64 (`BoxMullerDouble`) from four words.
  static func boxMuller(_ x0: UInt32, _ x1: UInt32, _ x2: UInt32, _ x3: UInt32) -> (Double, Double) {
    let u1 = max(uniformDouble(x0, x1), 1.0e-7)
    let angle = 2 * Double.pi * uniformDouble(x2, x3)
    let radius = sqrt(-2 * log(u1))
    return (sin(angle) * radius, cos(angle) * radius)
  }
}
