import RegistryCore

/// Parses serialized `tf.Example` protos into tensors as TensorFlow's example parsing kernels
/// do: dense features (`FixedLenFeature`, and `FixedLenSequenceFeature` as variable-length
/// dense), sparse features (`VarLenFeature`) and ragged features (`RaggedFeature`'s values and
/// row splits).
///
/// TensorFlow Serving's classify and regress signatures start with this parse, so its inputs
/// are request bytes: the wire format is read by our own bounds-checked reader
/// (`ExampleWireFormat`), every size it reads is checked before anything is allocated, and the
/// results, quirks and error messages are TensorFlow's (`FastParseExample` for a batch,
/// `FastParseSingleExample` for one example; they differ in both).
///
/// Format reference: `tensorflow/core/util/example_proto_fast_parsing.cc`,
/// `tensorflow/core/kernels/example_parsing_ops.cc`.
package enum ExampleParsing {
  /// A dense feature: one row of `shape` per example, or with `shape[0] == -1` (a variable
  /// length shape) as many rows of `shape[1...]` as the example has, padded to the longest.
  package struct DenseFeature: Sendable {
    package let key: [UInt8]
    /// float32, int64 or string.
    package let dtype: DType
    /// The shape of one example's value (`dense_shapes[i]`); -1 only as the first dimension.
    package let shape: [Int]
    /// The value of an example without the feature; an empty tensor makes the feature required.
    /// For a variable length shape, its single element pads the rows.
    package let defaultValue: Tensor

    package init(key: [UInt8], dtype: DType, shape: [Int], defaultValue: Tensor) {
      self.key = key
      self.dtype = dtype
      self.shape = shape
      self.defaultValue = defaultValue
    }

    /// Whether the first dimension is unknown: rows are padded to the longest example.
    package var isVariableLength: Bool { shape.first == -1 }
  }

  /// A sparse (`VarLenFeature`) or ragged feature: all of an example's values.
  package struct ListFeature: Sendable {
    package let key: [UInt8]
    /// float32, int64 or string.
    package let dtype: DType
    /// For a ragged feature, the dtype of its row splits (int32 or int64); ignored for sparse.
    package let splitsDType: DType

    package init(key: [UInt8], dtype: DType, splitsDType: DType = .int64) {
      self.key = key
      self.dtype = dtype
      self.splitsDType = splitsDType
    }
  }

  /// What to parse (`FastParseExampleConfig`).
  package struct Configuration: Sendable {
    package var dense: [DenseFeature]
    package var sparse: [ListFeature]
    package var ragged: [ListFeature]

    package init(dense: [DenseFeature] = [], sparse: [ListFeature] = [], ragged: [ListFeature] = []) {
      self.dense = dense
      self.sparse = sparse
      self.ragged = ragged
    }
  }

  /// The parsed tensors, in the configuration's order of features.
  package struct Result: Sendable {
    /// Per sparse feature: `[values, 2]` int64 (example, position) for a batch, `[values, 1]`
    /// for a single example.
    package var sparseIndices: [Tensor] = []
    package var sparseValues: [Tensor] = []
    /// Per sparse feature: `[batch, longest]` for a batch, `[values]` for a single example.
    package var sparseShapes: [Tensor] = []
    package var denseValues: [Tensor] = []
    package var raggedValues: [Tensor] = []
    /// Per ragged feature: `[batch + 1]` for a batch, `[0]` for a single example.
    package var raggedRowSplits: [Tensor] = []
  }

  /// The configuration checked, with what parsing needs from it.
  struct Plan {
    enum Slot {
      case dense(Int)
      case sparse(Int)
      case ragged(Int)
    }

    let configuration: Configuration
    /// Elements per example (fixed length) or per row (variable length) of each dense feature.
    let strides: [Int]
    /// Each key's feature.
    let slots: [ArraySlice<UInt8>: Slot]
    /// Read once per call, so one parse is checked against one policy.
    let limits: Limits
    let op: String

    /// Checks `configuration` as TensorFlow checks the op's attributes and defaults
    /// (`GetDenseShapes`, `CheckInputShapes`, `CheckConfigDataTypes`), in its order and words.
    ///
    /// Two refusals are ours: a key named twice (TensorFlow's hash table then hands the feature
    /// to none of them, silently) and a variable length shape with empty rows (TensorFlow divides
    /// by zero and the process dies).
    init(_ configuration: Configuration, op: String) throws(TensorError) {
      self.configuration = configuration
      self.op = op
      limits = Limits.current
      func fail(_ reason: String) -> TensorError { .invalidArgument(op: op, reason: reason) }
      var strides: [Int] = []
      for (index, feature) in configuration.dense.enumerated() {
        let shape = feature.shape
        guard shape.dropFirst().allSatisfy({ $0 >= 0 }), shape.first.map({ $0 >= -1 }) ?? true else {
          throw fail(
            "dense_shapes[\(index)] has unknown rank or unknown inner dimensions: \(ExampleParsing.format(shape))")
        }
        let row = feature.isVariableLength ? Array(shape.dropFirst()) : shape
        guard let stride = Limits.elementCount(row), stride <= limits.tensorElements else {
          throw .limitExceeded(
            op: op,
            LimitExceeded(
              "a row of dense feature \(index) of shape \(ExampleParsing.format(shape))", limit: "TENSOR_ELEMENTS",
              requested: Limits.elementCount(row), allowed: limits.tensorElements))
        }
        if feature.isVariableLength && stride == 0 {
          throw fail(
            "dense_shapes[\(index)] is a variable length shape whose rows have no elements: "
              + ExampleParsing.format(shape))
        }
        strides.append(Int(stride))
      }
      for (index, feature) in configuration.dense.enumerated() {
        let value = feature.defaultValue
        if feature.isVariableLength {
          guard value.elementCount == 1 else {
            throw fail(
              "dense_shape[\(index)] is a variable length shape: \(ExampleParsing.format(feature.shape)), therefore "
                + "def_value[\(index)] must contain a single element (the padding element).  But its shape is: "
                + ExampleParsing.format(value.shape))
          }
        } else if value.elementCount > 0 && value.shape != feature.shape {
          throw fail(
            "def_value[\(index)].shape() == \(ExampleParsing.format(value.shape)) is not compatible with "
              + "dense_shapes_[\(index)] == \(ExampleParsing.format(feature.shape))")
        }
        guard value.dtype == feature.dtype else {
          throw fail(
            "dense_defaults[\(index)].dtype() == \(ExampleParsing.typeName(value.dtype)) != dense_types_[\(index)] == "
              + ExampleParsing.typeName(feature.dtype))
        }
      }
      let features = configuration.sparse + configuration.dense.map { ListFeature(key: $0.key, dtype: $0.dtype) }
      for feature in features + configuration.ragged where ![.float32, .int64, .string].contains(feature.dtype) {
        throw fail("Invalid config dtype: \(ExampleParsing.typeName(feature.dtype))")
      }
      for feature in configuration.ragged where ![.int32, .int64].contains(feature.splitsDType) {
        throw fail("Invalid ragged_split_type: \(ExampleParsing.typeName(feature.splitsDType))")
      }
      var slots: [ArraySlice<UInt8>: Slot] = [:]
      let keyed =
        configuration.dense.enumerated().map { ($0.element.key, Slot.dense($0.offset)) }
        + configuration.sparse.enumerated().map { ($0.element.key, Slot.sparse($0.offset)) }
        + configuration.ragged.enumerated().map { ($0.element.key, Slot.ragged($0.offset)) }
      for (key, slot) in keyed {
        guard slots.updateValue(slot, forKey: key[...]) == nil else {
          throw fail(
            "the feature key \"\(String(decoding: key, as: UTF8.self))\" is named twice among the dense, sparse and "
              + "ragged keys")
        }
      }
      self.strides = strides
      self.slots = slots
    }
  }

  /// `TensorShape::DebugString`: `[2,3]`, `[]`, `?` for an unknown dimension.
  static func format(_ shape: [Int]) -> String {
    "[" + shape.map { $0 < 0 ? "?" : "\($0)" }.joined(separator: ",") + "]"
  }

  /// `DataTypeString`: TensorFlow's short name of a dtype (`float`, `int64`, `string`).
  static func typeName(_ dtype: DType) -> String {
    switch dtype {
    case .float32: "float"
    case .float64: "double"
    case .float16: "half"
    default: dtype.description
    }
  }

  /// The name TensorFlow gives a kind of list in its messages.
  static func listName(_ dtype: DType) -> String {
    switch dtype {
    case .float32: "float"
    case .int64: "int64"
    default: "bytes"
    }
  }

  /// A serialized example for a message: printable ASCII as it is, other bytes escaped, at most
  /// 1,000 bytes (TensorFlow prints the raw bytes, all of them).
  static func quoted(_ bytes: [UInt8]) -> String {
    var text = ""
    for byte in bytes.prefix(1000) {
      switch byte {
      case 0x0A: text += "\\n"
      case 0x0D: text += "\\r"
      case 0x09: text += "\\t"
      case 0x22, 0x27, 0x5C: text += "\\" + String(UnicodeScalar(byte))
      case 0x20...0x7E: text.append(Character(UnicodeScalar(byte)))
      default:
        let hex = String(byte, radix: 16)
        text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return bytes.count > 1000 ? text + "..." : text
  }
}

/// The values of one feature while parsing: one of the three lists, by dtype (TensorFlow's
/// `SparseBuffer`), with where each example's values end.
struct FeatureValues {
  let dtype: DType
  var floats: [Float] = []
  var int64s: [Int64] = []
  var strings: [[UInt8]] = []
  /// Bytes the strings will take in a tensor, counted as they are appended.
  var stringBytes: Int64 = 0
  /// After each example, the number of values so far.
  var ends: [Int] = []

  init(_ dtype: DType) { self.dtype = dtype }

  var count: Int {
    switch dtype {
    case .float32: floats.count
    case .int64: int64s.count
    default: strings.count
    }
  }

  /// Appends a serialized Feature's values; the list's count as TensorFlow reports it, or nil
  /// when the list does not parse.
  mutating func append(_ bytes: [UInt8], _ feature: Range<Int>, capacity: Int? = nil) -> Int? {
    switch dtype {
    case .float32: return ExampleWireFormat.floats(bytes, feature, into: &floats, capacity: capacity)
    case .int64: return ExampleWireFormat.int64s(bytes, feature, into: &int64s, capacity: capacity)
    default:
      let start = strings.count
      let count = ExampleWireFormat.strings(bytes, feature, into: &strings, capacity: capacity)
      for string in strings[start...] { stringBytes += Int64(string.count) }
      return count
    }
  }

  mutating func removeAll() {
    floats.removeAll(keepingCapacity: true)
    int64s.removeAll(keepingCapacity: true)
    strings.removeAll(keepingCapacity: true)
    stringBytes = 0
  }

  /// Checks, after an append, that the values still fit one tensor: elements within
  /// `TENSOR_ELEMENTS`, and strings (a reference each, plus their bytes) within `TENSOR_BYTES`.
  func checkSize(_ limits: Limits, feature: [UInt8], op: String) throws(TensorError) {
    let subject = "the values of feature \"\(String(decoding: feature, as: UTF8.self))\""
    if Int64(count) > limits.tensorElements {
      throw .limitExceeded(
        op: op,
        LimitExceeded(subject, limit: "TENSOR_ELEMENTS", requested: Int64(count), allowed: limits.tensorElements))
    }
    let bytes =
      dtype == .string
      ? stringBytes + Int64(count) * Int64(MemoryLayout<[UInt8]>.stride) : Int64(count) * Int64(dtype.elementSize ?? 8)
    if bytes > limits.tensorBytes {
      throw .limitExceeded(
        op: op, LimitExceeded(subject, limit: "TENSOR_BYTES", requested: bytes, allowed: limits.tensorBytes))
    }
  }

  /// The values from `range` as a tensor of `shape`.
  func tensor(_ range: Range<Int>, shape: [Int]) -> Tensor {
    switch dtype {
    case .float32: Tensor(float32: Array(floats[range]), shape: shape)
    case .int64: Tensor(int64: Array(int64s[range]), shape: shape)
    default: Tensor(strings: Array(strings[range]), shape: shape)
    }
  }

  /// All the values as a tensor of `shape` (a vector by default).
  func tensor(shape: [Int]? = nil) -> Tensor {
    switch dtype {
    case .float32: Tensor(float32: floats, shape: shape ?? [count])
    case .int64: Tensor(int64: int64s, shape: shape ?? [count])
    default: Tensor(strings: strings, shape: shape ?? [count])
    }
  }
}
