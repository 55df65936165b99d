/// A Swift type whose values are the stored elements of one `DType`.
///
/// There is exactly one storage type per dense dtype: `Float`, `Double`, the integer types, `Bool`
/// (one byte, always 0 or 1), and the two 16-bit float formats, which are stored as their bit
/// patterns (`Float16Bits`, `BFloat16Bits`) and computed on as `Float`.
///
/// Every storage type converts to and from `CastValue`, which is how `Cast` converts between any
/// two dtypes with TensorFlow's semantics.
protocol TensorElement: Sendable {
  /// The dtype stored as this type.
  static var dtype: DType { get }
  /// The value, widened without loss.
  var castValue: CastValue { get }
  /// The value of this type that `Cast` produces from `value`.
  init(castValue value: CastValue)
}

/// An element value widened without loss, the pivot of every conversion.
enum CastValue {
  case signed(Int64)
  case unsigned(UInt64)
  case floating(Double)
  case boolean(Bool)
  /// A complex value's real and imaginary parts. Converting it to a real type keeps the real part
  /// (TensorFlow's rule, `bool` included).
  case complex(Double, Double)
}

/// The bit pattern of an IEEE 754 binary16 value, the storage type of `DType.float16`.
struct Float16Bits: TensorElement, Equatable {
  static var dtype: DType { .float16 }
  var bitPattern: UInt16
  init(bitPattern: UInt16) { self.bitPattern = bitPattern }
  var castValue: CastValue { .floating(Double(HalfPrecision.float(halfBits: bitPattern))) }
  /// Rounds through `Float` as Eigen's `half(double)` does.
  init(castValue value: CastValue) {
    bitPattern = HalfPrecision.halfBits(Float(castValue: value))
  }
}

/// The bit pattern of a bfloat16 value, the storage type of `DType.bfloat16`.
struct BFloat16Bits: TensorElement, Equatable {
  static var dtype: DType { .bfloat16 }
  var bitPattern: UInt16
  init(bitPattern: UInt16) { self.bitPattern = bitPattern }
  var castValue: CastValue { .floating(Double(HalfPrecision.float(bfloat16Bits: bitPattern))) }
  /// Rounds through `Float` as TensorFlow's `bfloat16(double)` does.
  init(castValue value: CastValue) {
    bitPattern = HalfPrecision.bfloat16Bits(Float(castValue: value))
  }
}

extension Float: TensorElement {
  static var dtype: DType { .float32 }
  var castValue: CastValue { .floating(Double(self)) }
  init(castValue value: CastValue) {
    switch value {
    case .signed(let x): self = Float(x)
    case .unsigned(let x): self = Float(x)
    case .floating(let x), .complex(let x, _): self = Float(x)
    case .boolean(let x): self = x ? 1 : 0
    }
  }
}

extension Double: TensorElement {
  static var dtype: DType { .float64 }
  var castValue: CastValue { .floating(self) }
  init(castValue value: CastValue) {
    switch value {
    case .signed(let x): self = Double(x)
    case .unsigned(let x): self = Double(x)
    case .floating(let x), .complex(let x, _): self = x
    case .boolean(let x): self = x ? 1 : 0
    }
  }
}

extension Bool: TensorElement {
  static var dtype: DType { .bool }
  var castValue: CastValue { .boolean(self) }
  init(castValue value: CastValue) {
    switch value {
    case .signed(let x): self = x != 0
    case .unsigned(let x): self = x != 0
    case .floating(let x): self = x != 0  // NaN != 0, so NaN is true, as in C++.
    case .boolean(let x): self = x
    case .complex(let re, _): self = re != 0  // TensorFlow keeps the real part only: `1j` casts to false.
    }
  }
}

/// Integer storage types.
protocol IntegerElement: FixedWidthInteger, TensorElement {}

extension IntegerElement {
  var castValue: CastValue {
    Self.isSigned
      ? .signed(Int64(truncatingIfNeeded: self)) : .unsigned(UInt64(truncatingIfNeeded: self))
  }

  /// The integer `Cast` produces from `value`.
  ///
  /// Integers wrap modulo 2^bitWidth, as C++ conversions do. Floating-point values truncate toward
  /// zero; NaN becomes 0 and values beyond the type's range saturate (C++ leaves both undefined).
  init(castValue value: CastValue) {
    switch value {
    case .signed(let x): self = Self(truncatingIfNeeded: x)
    case .unsigned(let x): self = Self(truncatingIfNeeded: x)
    case .boolean(let x): self = x ? 1 : 0
    case .floating(let x), .complex(let x, _):
      if x.isNaN {
        self = 0
      } else if x >= Double(Self.max) {
        // For 64-bit types Double(Self.max) rounds up to 2^63 or 2^64, so `>=` catches exactly the
        // values that do not fit; for narrower types values in [max, max + 1) truncate to max
        // anyway.
        self = Self.max
      } else if x <= Double(Self.min) {
        self = Self.min
      } else {
        self = Self(x.rounded(.towardZero))
      }
    }
  }
}

extension Int8: IntegerElement { static var dtype: DType { .int8 } }
extension Int16: IntegerElement { static var dtype: DType { .int16 } }
extension Int32: IntegerElement { static var dtype: DType { .int32 } }
extension Int64: IntegerElement { static var dtype: DType { .int64 } }
extension UInt8: IntegerElement { static var dtype: DType { .uint8 } }
extension UInt16: IntegerElement { static var dtype: DType { .uint16 } }
extension UInt32: IntegerElement { static var dtype: DType { .uint32 } }
extension UInt64: IntegerElement { static var dtype: DType { .uint64 } }

/// A `complex64` element: a `Float` real part then a `Float` imaginary part, TensorFlow's layout.
public struct Complex64: TensorElement, Equatable, Sendable {
  static var dtype: DType { .complex64 }
  public var real: Float
  public var imag: Float
  public init(_ real: Float, _ imag: Float) {
    self.real = real
    self.imag = imag
  }
  var castValue: CastValue { .complex(Double(real), Double(imag)) }
  /// A real value becomes the real part with a zero imaginary part.
  init(castValue value: CastValue) {
    switch value {
    case .complex(let re, let im): self.init(Float(re), Float(im))
    default: self.init(Float(castValue: value), 0)
    }
  }
}

/// A `complex128` element: a `Double` real part then a `Double` imaginary part.
public struct Complex128: TensorElement, Equatable, Sendable {
  static var dtype: DType { .complex128 }
  public var real: Double
  public var imag: Double
  public init(_ real: Double, _ imag: Double) {
    self.real = real
    self.imag = imag
  }
  var castValue: CastValue { .complex(real, imag) }
  init(castValue value: CastValue) {
    switch value {
    case .complex(let re, let im): self.init(re, im)
    default: self.init(Double(castValue: value), 0)
    }
  }
}
