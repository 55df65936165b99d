/// The scalar formulas of the activation functions, shared by `Elementwise` and tests.
///
/// Each follows TensorFlow's CPU functor (`relu_op_functor.h`, `softplus_op.h`,
/// `cwise_ops.h`): the same branch points and constants, computed with the C library's
/// `exp`/`expm1`/`log1p` rather than Eigen's polynomial approximations, so results agree to a few
/// ulps rather than bit for bit.
enum Activations {
  /// The SELU scale, as in TensorFlow's `Selu` functor.
  static let seluScale = 1.0507009873554804934193349852946
  /// The SELU scale times alpha, as in TensorFlow's `Selu` functor.
  static let seluScaleAlpha = 1.7580993408473768599402175208123

  /// `1 / (1 + e^-x)` without overflow for large negative `x`.
  @inline(__always)
  static func sigmoid<T: FloatElement>(_ x: T) -> T {
    if x >= 0 {
      return 1 / (1 + T.exponential(-x))
    }
    let e = T.exponential(x)
    return e / (1 + e)
  }

  /// `max(x, 0)`, keeping NaN.
  @inline(__always)
  static func relu<T: FloatElement>(_ x: T) -> T { x < 0 ? 0 : x }

  /// `min(max(x, 0), 6)`, keeping NaN.
  @inline(__always)
  static func relu6<T: FloatElement>(_ x: T) -> T { x < 0 ? 0 : (x > 6 ? 6 : x) }

  /// `x` for `x >= 0`, `e^x - 1` below.
  @inline(__always)
  static func elu<T: FloatElement>(_ x: T) -> T { x < 0 ? T.exponentialMinusOne(x) : x }

  /// `scale * x` for `x >= 0`, `scale * alpha * (e^x - 1)` below.
  @inline(__always)
  static func selu<T: FloatElement>(_ x: T) -> T {
    x < 0 ? T(seluScaleAlpha) * T.exponentialMinusOne(x) : T(seluScale) * x
  }

  /// `x` for `x > 0`, `alpha * x` otherwise (alpha may be above 1 or negative).
  @inline(__always)
  static func leakyRelu<T: FloatElement>(_ x: T, alpha: T) -> T { x > 0 ? x : x * alpha }

  /// `log(1 + e^x)`: `x` above `-threshold`, `e^x` below `threshold`, `log1p(e^x)` between, where
  /// `threshold = log(epsilon) + 2` as in TensorFlow's `Softplus` functor.
  @inline(__always)
  static func softplus<T: FloatElement>(_ x: T) -> T {
    let threshold = T.softplusThreshold
    if x > -threshold { return x }
    let e = T.exponential(x)
    if x < threshold { return e }
    return T.logarithmOnePlus(e)
  }
}
