import TFProto

/// What the format layer needs to know about a TensorFlow `DataType` value: its name and how
/// many bytes one element takes in a tensor bundle.
///
/// Keyed by the enum's number so that values from newer TensorFlow releases (proto3 enums are
/// open) still print as something useful.
///
/// Format reference: savedmodel-format.md §2.6.
public struct DataTypeInfo: Sendable, Equatable {
  /// The `DataType` enum number (`1` is `DT_FLOAT`).
  public let rawValue: Int
  /// TensorFlow's spelling, e.g. `DT_FLOAT`; `DT_UNKNOWN_<n>` for values this build does not know.
  public let name: String
  /// Bytes per element for fixed-width types; `nil` for strings, variants and resources.
  public let elementSize: Int?

  public init(rawValue: Int) {
    self.rawValue = rawValue
    let base = rawValue > 100 ? rawValue - 100 : rawValue
    if let known = Self.table[base] {
      name = rawValue > 100 ? known.name + "_REF" : known.name
      elementSize = known.size
    } else {
      name = "DT_UNKNOWN_\(rawValue)"
      elementSize = nil
    }
  }

  public init(_ type: Tensorflow_DataType) { self.init(rawValue: type.rawValue) }

  /// Whether the bundle stores this type as length-prefixed strings.
  public var isString: Bool { rawValue == 7 }
  /// Whether the bundle stores this type as serialized `VariantTensorDataProto`s.
  public var isVariant: Bool { rawValue == 21 }

  private static let table: [Int: (name: String, size: Int?)] = [
    0: ("DT_INVALID", nil), 1: ("DT_FLOAT", 4), 2: ("DT_DOUBLE", 8), 3: ("DT_INT32", 4),
    4: ("DT_UINT8", 1), 5: ("DT_INT16", 2), 6: ("DT_INT8", 1), 7: ("DT_STRING", nil),
    8: ("DT_COMPLEX64", 8), 9: ("DT_INT64", 8), 10: ("DT_BOOL", 1), 11: ("DT_QINT8", 1),
    12: ("DT_QUINT8", 1), 13: ("DT_QINT32", 4), 14: ("DT_BFLOAT16", 2), 15: ("DT_QINT16", 2),
    16: ("DT_QUINT16", 2), 17: ("DT_UINT16", 2), 18: ("DT_COMPLEX128", 16), 19: ("DT_HALF", 2),
    20: ("DT_RESOURCE", nil), 21: ("DT_VARIANT", nil), 22: ("DT_UINT32", 4), 23: ("DT_UINT64", 8),
    24: ("DT_FLOAT8_E5M2", 1), 25: ("DT_FLOAT8_E4M3FN", 1), 26: ("DT_FLOAT8_E4M3FNUZ", 1),
    27: ("DT_FLOAT8_E4M3B11FNUZ", 1), 28: ("DT_FLOAT8_E5M2FNUZ", 1),
    // Sub-byte types: one element per byte in memory; their packing in bundles is unverified.
    29: ("DT_INT4", nil), 30: ("DT_UINT4", nil), 31: ("DT_INT2", nil), 32: ("DT_UINT2", nil),
    33: ("DT_FLOAT4_E2M1FN", nil),
  ]
}

/// A tensor shape as the catalog and the command line show it: `nil` for unknown rank, `-1`
/// for a dimension of unknown size, `[]` for a scalar.
public typealias TensorShape = [Int64]?

extension Tensorflow_TensorShapeProto {
  /// The shape as dimension sizes, or `nil` when the rank is unknown.
  public var dimensions: TensorShape {
    unknownRank ? nil : dim.map(\.size)
  }
}

/// Formats a shape the way `saved_model_cli` does: `(-1, 3)`, `()` for a scalar, `unknown_rank`.
public func describeShape(_ shape: TensorShape) -> String {
  guard let shape else { return "unknown_rank" }
  if shape.count == 1 { return "(\(shape[0]))" }
  return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
