/// The element type of a tensor.
///
/// The raw value is TensorFlow's `DataType` enum number (`DT_FLOAT` = 1, `DT_HALF` = 19, …), so a
/// `dtype` attribute or a `TensorProto.dtype` field converts with `DType(rawValue:)`. Reference
/// types (`DT_FLOAT_REF` = 101 and so on) are not element types and have no case.
///
/// Format reference: `tensorflow/core/framework/types.proto`.
public enum DType: Int, Sendable, CaseIterable, CustomStringConvertible {
  /// `DT_FLOAT`: IEEE 754 binary32.
  case float32 = 1
  /// `DT_DOUBLE`: IEEE 754 binary64.
  case float64 = 2
  /// `DT_INT32`.
  case int32 = 3
  /// `DT_UINT8`.
  case uint8 = 4
  /// `DT_INT16`.
  case int16 = 5
  /// `DT_INT8`.
  case int8 = 6
  /// `DT_STRING`: byte strings of any length.
  case string = 7
  /// `DT_INT64`.
  case int64 = 9
  /// `DT_BOOL`: one byte per element, 0 or 1.
  case bool = 10
  /// `DT_BFLOAT16`: the top 16 bits of a binary32.
  case bfloat16 = 14
  /// `DT_UINT16`.
  case uint16 = 17
  /// `DT_HALF`: IEEE 754 binary16.
  case float16 = 19
  /// `DT_UINT32`.
  case uint32 = 22
  /// `DT_UINT64`.
  case uint64 = 23
  /// `DT_COMPLEX64`: a float32 real part then a float32 imaginary part, 8 bytes, as TensorFlow
  /// lays out `std::complex<float>`.
  case complex64 = 8
  /// `DT_COMPLEX128`: a float64 real part then a float64 imaginary part, 16 bytes.
  case complex128 = 18

  /// The number of bytes one element occupies in a dense buffer, or `nil` for `string`.
  public var elementSize: Int? {
    switch self {
    case .bool, .int8, .uint8: 1
    case .int16, .uint16, .float16, .bfloat16: 2
    case .int32, .uint32, .float32: 4
    case .int64, .uint64, .float64, .complex64: 8
    case .complex128: 16
    case .string: nil
    }
  }

  /// Whether the type is a floating-point type (`float16`, `bfloat16`, `float32`, `float64`).
  public var isFloatingPoint: Bool {
    switch self {
    case .float16, .bfloat16, .float32, .float64: true
    default: false
    }
  }

  /// Whether the type is `complex64` or `complex128`.
  public var isComplex: Bool { self == .complex64 || self == .complex128 }

  /// The dtype of a complex type's real and imaginary parts (`float32` for `complex64`), or `nil`.
  public var complexPartType: DType? {
    switch self {
    case .complex64: .float32
    case .complex128: .float64
    default: nil
    }
  }

  /// Whether the type is a signed or unsigned integer type (not `bool`).
  public var isInteger: Bool {
    switch self {
    case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
    default: false
    }
  }

  /// Whether the type is a real number (floating-point or integer); `bool`, `string` and the
  /// complex types are not.
  public var isNumeric: Bool { isFloatingPoint || isInteger }

  /// TensorFlow's name for the type, as in `DT_FLOAT`.
  public var tensorFlowName: String {
    switch self {
    case .float32: "DT_FLOAT"
    case .float64: "DT_DOUBLE"
    case .int32: "DT_INT32"
    case .uint8: "DT_UINT8"
    case .int16: "DT_INT16"
    case .int8: "DT_INT8"
    case .string: "DT_STRING"
    case .int64: "DT_INT64"
    case .bool: "DT_BOOL"
    case .bfloat16: "DT_BFLOAT16"
    case .uint16: "DT_UINT16"
    case .float16: "DT_HALF"
    case .uint32: "DT_UINT32"
    case .uint64: "DT_UINT64"
    case .complex64: "DT_COMPLEX64"
    case .complex128: "DT_COMPLEX128"
    }
  }

  /// The NumPy-style name (`float32`, `bfloat16`, `bool`, …).
  public var description: String {
    switch self {
    case .float32: "float32"
    case .float64: "float64"
    case .int32: "int32"
    case .uint8: "uint8"
    case .int16: "int16"
    case .int8: "int8"
    case .string: "string"
    case .int64: "int64"
    case .bool: "bool"
    case .bfloat16: "bfloat16"
    case .uint16: "uint16"
    case .float16: "float16"
    case .uint32: "uint32"
    case .uint64: "uint64"
    case .complex64: "complex64"
    case .complex128: "complex128"
    }
  }
}
