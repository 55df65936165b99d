import Foundation
import RegistryCore
import TensorKernels

/// TensorFlow Serving's REST tensor encoding: predict requests (row `instances` or columnar
/// `inputs`) to tensors, outputs back to `predictions` or `outputs`, classify and regress
/// examples, error bodies. Pure: no model, no server; the dtypes come from the signature.
///
/// Messages are TensorFlow Serving's, so clients that match on them keep working.
///
/// Format reference: tensorflow/serving `util/json_tensor.cc`, `g3doc/api_rest.md`
/// (docs/serve.md lists where we differ).
package enum ServingTensorCodec {
  /// How a predict request gave its inputs, which decides the shape of the response.
  package enum Format: Sendable, Equatable {
    /// `instances`: a list with one element per batch item; answered with `predictions`.
    case row
    /// `inputs`: each input as a whole tensor; answered with `outputs`.
    case columnar
  }

  /// A parsed predict body before the signature is known.
  package struct PredictBody: Sendable {
    package let document: ServingJSON
    /// `signature_name`, `serving_default` when absent or empty.
    package let signatureName: String
  }

  /// Parses a predict (or classify, regress) body far enough to find the signature.
  ///
  /// - Throws: `invalidArgument`: not JSON, not an object, `signature_name` not a string.
  package static func body(_ bytes: [UInt8]) throws(TensorIOError) -> PredictBody {
    let document = try ServingJSON.parse(bytes)
    guard case .object = document else {
      throw .invalid("JSON Value: \(document.text) Is not object", file: nil)
    }
    var signature = "serving_default"
    if let value = document["signature_name"] {
      guard case .string(let name) = value else {
        throw .invalid(
          "JSON Value: \(document.text) not formatted correctly. 'signature_name' key must be a string value.",
          file: nil)
      }
      if !name.isEmpty { signature = name }
    }
    return PredictBody(document: document, signatureName: signature)
  }

  /// The input tensors of a predict body, given the signature's inputs (name and dtype).
  ///
  /// - Throws: `invalidArgument` for anything malformed (with TensorFlow Serving's message);
  ///   `unsupported` for an input dtype JSON cannot carry given through `inputs` (through
  ///   `instances` the same error is wrapped as `invalidArgument`, as TensorFlow Serving does);
  ///   `resourceExhausted` past `Limits`.
  package static func inputs(
    of body: PredictBody, signature inputs: [String: DType], limits: Limits = .current
  ) throws(TensorIOError) -> (format: Format, tensors: [String: Tensor]) {
    let document = body.document
    guard !inputs.isEmpty else {
      throw .invalid("Failed to get input map for signature: \(body.signatureName)", file: nil)
    }
    let instances = document["instances"]
    let columns = document["inputs"]
    if let instances {
      guard columns == nil else {
        throw .invalid(
          "JSON Value: \(document.text) Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist ",
          file: nil)
      }
      guard case .array(let elements) = instances else {
        throw .invalid("JSON Value: \(document.text) Excepting 'instances' to be an list/array", file: nil)
      }
      guard !elements.isEmpty else {
        throw .invalid("JSON Value: \(document.text) No values in 'instances' array", file: nil)
      }
      return (.row, try rowTensors(elements, inputs: inputs, limits: limits))
    }
    if let columns {
      return (.columnar, try columnarTensors(columns, inputs: inputs, limits: limits))
    }
    throw .invalid("Missing 'inputs' or 'instances' key", file: nil)
  }

  // MARK: - Row format

  private static func isNamedObject(_ value: ServingJSON) -> Bool {
    if case .object = value, value.base64Text == nil { return true }
    return false
  }

  private static func rowTensors(
    _ elements: [ServingJSON], inputs: [String: DType], limits: Limits
  ) throws(TensorIOError) -> [String: Tensor] {
    var firstIsObject = false
    if case .object = elements[0] { firstIsObject = true }
    if !firstIsObject, inputs.count > 1 {
      throw .invalid(
        "instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map",
        file: nil)
    }
    let elementsAreObjects = isNamedObject(elements[0])
    let names = inputs.keys.sorted()
    var columns: [String: Column] = [:]
    for (position, element) in elements.enumerated() {
      if elementsAreObjects {
        guard case .object(let members) = element, element.base64Text == nil else {
          throw .invalid("Expecting object but got list at item \(position) of input list", file: nil)
        }
        for (name, value) in members {
          do {
            try addInstanceItem(value, name: name, inputs: inputs, columns: &columns)
          } catch {
            throw .invalid(
              "Failed to process element: \(position) key: \(name) of 'instances' list. Error: \(statusText(error))",
              file: nil)
          }
        }
        guard Set(members.map(\.key)) == Set(names) else {
          throw .invalid(
            "Failed to process element: \(position) of 'instances' list. JSON object: \(element.text) keys must be equal to: \(names.joined(separator: ","))",
            file: nil)
        }
      } else {
        guard !isNamedObject(element) else {
          throw .invalid("Expecting value/list but got object at item \(position) of input list", file: nil)
        }
        // With several inputs the first element decided this is a plain list of objects that
        // are b64 values; TensorFlow Serving then feeds the alphabetically first input.
        let name = names[0]
        do {
          try addInstanceItem(element, name: name, inputs: inputs, columns: &columns)
        } catch {
          throw .invalid(
            "Failed to process element: \(position) of 'instances' list. Error: \(statusText(error))", file: nil)
        }
      }
    }
    var tensors: [String: Tensor] = [:]
    for (name, column) in columns {
      let shape = [elements.count] + (column.elementShape ?? [])
      tensors[name] = try column.values.tensor(shape: shape, name: name, limits: limits)
    }
    return tensors
  }

  /// One input's values across the instances, and the shape every instance must share.
  private struct Column {
    var values: Values
    var elementShape: [Int]?
    var elementSize = 0
  }

  private static func addInstanceItem(
    _ item: ServingJSON, name: String, inputs: [String: DType], columns: inout [String: Column]
  ) throws(TensorIOError) {
    guard let dtype = inputs[name] else {
      throw .invalid("JSON object: does not have named input: \(name)", file: nil)
    }
    let shape = denseShape(item)
    var column = columns[name] ?? Column(values: Values(dtype: dtype))
    let before = column.values.count
    try fill(item, level: 0, shape: shape, into: &column.values)
    let size = column.values.count - before
    if let expected = column.elementShape {
      guard column.elementSize == size else {
        throw .invalid("Expecting tensor size: \(column.elementSize) but got: \(size)", file: nil)
      }
      guard expected == shape else {
        throw .invalid("Expecting shape \(shapeText(expected)) but got: \(shapeText(shape))", file: nil)
      }
    } else {
      column.elementShape = shape
      column.elementSize = size
    }
    columns[name] = column
  }

  // MARK: - Columnar format

  private static func columnarTensors(
    _ value: ServingJSON, inputs: [String: DType], limits: Limits
  ) throws(TensorIOError) -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    if !isNamedObject(value) {
      guard inputs.count == 1, let only = inputs.first else {
        throw .invalid(
          "inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map",
          file: nil)
      }
      tensors[only.key] = try tensor(value, dtype: only.value, name: only.key, limits: limits)
      return tensors
    }
    for name in inputs.keys.sorted() {
      guard let item = value[name], let dtype = inputs[name] else {
        throw .invalid("Missing named input: \(name) in 'inputs' object.", file: nil)
      }
      tensors[name] = try tensor(item, dtype: dtype, name: name, limits: limits)
    }
    return tensors
  }

  private static func tensor(
    _ value: ServingJSON, dtype: DType, name: String, limits: Limits
  ) throws(TensorIOError) -> Tensor {
    let shape = denseShape(value)
    var values = Values(dtype: dtype)
    try fill(value, level: 0, shape: shape, into: &values)
    return try values.tensor(shape: shape, name: name, limits: limits)
  }

  // MARK: - Shapes and values

  /// The shape a value claims: the length of each list, following the first element down
  /// (`GetDenseTensorShape`); every other list is checked against it while filling.
  private static func denseShape(_ value: ServingJSON) -> [Int] {
    var shape: [Int] = []
    var probe = value
    while case .array(let elements) = probe {
      shape.append(elements.count)
      guard let first = elements.first else { break }
      probe = first
    }
    return shape
  }

  private static func fill(
    _ value: ServingJSON, level: Int, shape: [Int], into values: inout Values
  ) throws(TensorIOError) {
    guard case .array(let elements) = value else {
      guard level == shape.count else {
        throw .invalid(
          "JSON Value: \(value.text) found at incorrect level: \(level + 1) in the JSON DOM. Expected at level: \(shape.count)",
          file: nil)
      }
      try values.append(value)
      return
    }
    guard level < shape.count else {
      throw .invalid("Encountered list at unexpected level: \(level) expected < \(shape.count)", file: nil)
    }
    guard elements.count == shape[level] else {
      throw .invalid(
        "Encountered list at unexpected size: \(elements.count) at level: \(level) expected size: \(shape[level])",
        file: nil)
    }
    for element in elements { try fill(element, level: level + 1, shape: shape, into: &values) }
  }

  /// `[2,3]`, as TensorFlow Serving prints shapes in its messages.
  static func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
  }

  /// An error as absl's `Status::ToString` prints it inside another message.
  private static func statusText(_ error: TensorIOError) -> String {
    let code =
      switch error.category {
      case .unsupported: "UNIMPLEMENTED"
      case .resourceExhausted: "RESOURCE_EXHAUSTED"
      default: "INVALID_ARGUMENT"
      }
    return "\(code): \(error.message)"
  }

  /// TensorFlow's `DataTypeString`: `float`, `double`, `half`, `int32`, ….
  package static func typeName(_ dtype: DType) -> String {
    switch dtype {
    case .float32: "float"
    case .float64: "double"
    case .float16: "half"
    default: dtype.description
    }
  }

  /// The leaves of one tensor in row-major order, kept in the dtype's own Swift type.
  struct Values {
    let dtype: DType
    private(set) var count = 0
    private var doubles: [Double] = []
    private var signed: [Int64] = []
    private var unsigned: [UInt64] = []
    private var flags: [Bool] = []
    private var strings: [[UInt8]] = []

    init(dtype: DType) { self.dtype = dtype }

    private func typeError(_ value: ServingJSON) -> TensorIOError {
      .invalid(
        "JSON Value: \(value.text) Type: \(value.typeName) is not of expected type: \(ServingTensorCodec.typeName(dtype))",
        file: nil)
    }

    /// One leaf, by TensorFlow Serving's rules (`AddValueToTensor`): floats take any number,
    /// integer types only integer literals in range, bool only `true`/`false`, string a string
    /// or a `{"b64": …}` object.
    mutating func append(_ value: ServingJSON) throws(TensorIOError) {
      if case .object = value {
        guard dtype == .string else { throw typeError(value) }
        guard let text = value.base64Text else {
          throw .invalid("JSON Value: \(value.text) not formatted correctly for base64 data", file: nil)
        }
        guard let bytes = ServingTensorCodec.base64Decode(text) else {
          throw .invalid("Unable to base64 decode", file: nil)
        }
        strings.append(bytes)
        count += 1
        return
      }
      switch dtype {
      case .float32, .float64:
        guard let number = value.doubleValue else { throw typeError(value) }
        doubles.append(number)
      case .int8, .int16, .int32, .uint8:
        // RapidJSON's `IsInt`: an integer literal that fits int32; narrower types are also
        // checked against their own range (TensorFlow Serving would wrap them silently).
        guard case .int(let number) = value, let narrow = Int32(exactly: number) else { throw typeError(value) }
        let fits =
          switch dtype {
          case .int8: Int8(exactly: narrow) != nil
          case .int16: Int16(exactly: narrow) != nil
          case .uint8: UInt8(exactly: narrow) != nil
          default: true
          }
        guard fits else { throw typeError(value) }
        signed.append(Int64(narrow))
      case .int64:
        guard case .int(let number) = value else { throw typeError(value) }
        signed.append(number)
      case .uint32:
        guard case .int(let number) = value, let narrow = UInt32(exactly: number) else { throw typeError(value) }
        unsigned.append(UInt64(narrow))
      case .uint64:
        switch value {
        case .int(let number) where number >= 0: unsigned.append(UInt64(number))
        case .uint(let number): unsigned.append(number)
        default: throw typeError(value)
        }
      case .bool:
        guard case .bool(let flag) = value else { throw typeError(value) }
        flags.append(flag)
      case .string:
        guard case .string(let text) = value else { throw typeError(value) }
        strings.append(Array(text.utf8))
      case .float16, .bfloat16, .uint16, .complex64, .complex128:
        throw .unsupported(
          "Conversion of JSON Value: \(value.text) to type: \(ServingTensorCodec.typeName(dtype))", file: nil)
      }
      count += 1
    }

    /// The tensor, after its size is checked against the limits.
    func tensor(shape: [Int], name: String, limits: Limits) throws(TensorIOError) -> Tensor {
      do {
        _ = try limits.checkTensor("input \"\(name)\"", shape: shape, elementSize: dtype.elementSize ?? 1)
      } catch {
        throw .limit(error, file: nil)
      }
      switch dtype {
      case .float32: return Tensor(float32: doubles.map { Float($0) }, shape: shape)
      case .float64: return Tensor(float64: doubles, shape: shape)
      case .int8: return Tensor(int8: signed.map { Int8(truncatingIfNeeded: $0) }, shape: shape)
      case .int16: return Tensor(int16: signed.map { Int16(truncatingIfNeeded: $0) }, shape: shape)
      case .int32: return Tensor(int32: signed.map { Int32(truncatingIfNeeded: $0) }, shape: shape)
      case .uint8: return Tensor(uint8: signed.map { UInt8(truncatingIfNeeded: $0) }, shape: shape)
      case .int64: return Tensor(int64: signed, shape: shape)
      case .uint32: return Tensor(uint32: unsigned.map { UInt32(truncatingIfNeeded: $0) }, shape: shape)
      case .uint64: return Tensor(uint64: unsigned, shape: shape)
      case .bool: return Tensor(bool: flags, shape: shape)
      case .string: return Tensor(strings: strings, shape: shape)
      case .float16, .bfloat16, .uint16, .complex64, .complex128:
        // Unreachable with any element (`append` refuses them); an empty tensor is still valid.
        return Tensor.empty(dtype, shape: shape)
      }
    }
  }

  /// Standard base64, padding optional (absl's `Base64Unescape`).
  package static func base64Decode(_ text: String) -> [UInt8]? {
    var padded = text
    let remainder = padded.utf8.count % 4
    if remainder == 1 { return nil }
    if remainder > 0 { padded += String(repeating: "=", count: 4 - remainder) }
    return Data(base64Encoded: padded).map { Array($0) }
  }

  // MARK: - Responses

  /// A predict response: `{"predictions": [...]}` for a row request, `{"outputs": ...}` for a
  /// columnar one; output names sorted.
  ///
  /// - Throws: `invalidArgument` for a row response whose outputs disagree on the batch size or
  ///   include a scalar (TensorFlow Serving's "has no shape information").
  package static func predictResponse(_ outputs: [String: Tensor], format: Format) throws(TensorIOError) -> [UInt8] {
    guard !outputs.isEmpty else { throw .invalid("Cannot convert empty tensor map to JSON", file: nil) }
    let names = outputs.keys.sorted()
    var writer = ServingJSONWriter()
    switch format {
    case .row:
      var batch = -1
      for name in names {
        guard let tensor = outputs[name] else { continue }
        guard let first = tensor.shape.first else {
          throw .invalid("Tensor name: \(name) has no shape information ", file: nil)
        }
        if batch >= 0, batch != first {
          throw .invalid("Tensor name: \(name) has inconsistent batch size: \(first) expecting: \(batch)", file: nil)
        }
        batch = first
      }
      var readers = try names.map { name throws(TensorIOError) in
        try ElementWriter(outputs[name] ?? Tensor(float32: [], shape: [0]), name: name)
      }
      writer.raw("{\"predictions\":[")
      for item in 0..<max(batch, 0) {
        if item > 0 { writer.raw(UInt8(ascii: ",")) }
        if names.count > 1 { writer.raw(UInt8(ascii: "{")) }
        for index in readers.indices {
          if names.count > 1 {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.quoted(names[index])
            writer.raw(UInt8(ascii: ":"))
          }
          readers[index].write(dimension: 1, into: &writer)
        }
        if names.count > 1 { writer.raw(UInt8(ascii: "}")) }
      }
      writer.raw("]}")
    case .columnar:
      writer.raw("{\"outputs\":")
      if names.count > 1 { writer.raw(UInt8(ascii: "{")) }
      for (index, name) in names.enumerated() {
        guard let tensor = outputs[name] else { continue }
        if names.count > 1 {
          if index > 0 { writer.raw(UInt8(ascii: ",")) }
          writer.quoted(name)
          writer.raw(UInt8(ascii: ":"))
        }
        var reader = try ElementWriter(tensor, name: name)
        reader.write(dimension: 0, into: &writer)
      }
      if names.count > 1 { writer.raw(UInt8(ascii: "}")) }
      writer.raw(UInt8(ascii: "}"))
    }
    return writer.bytes
  }

  /// `{"error": "<message>"}` (`MakeJsonFromStatus`).
  package static func errorBody(_ message: String) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"error\":")
    writer.quoted(message)
    writer.raw(UInt8(ascii: "}"))
    return writer.bytes
  }

  /// Writes a tensor's elements in order, nesting lists by its shape.
  struct ElementWriter {
    let shape: [Int]
    let element: (Int, inout ServingJSONWriter) -> Void
    var offset = 0

    init(_ tensor: Tensor, name: String) throws(TensorIOError) {
      shape = tensor.shape
      do {
        switch tensor.dtype {
        case .float32, .float16, .bfloat16:
          let values = try tensor.floats()
          element = { index, writer in writer.decimal(values[index]) }
        case .float64:
          let values = try tensor.doubles()
          element = { index, writer in writer.decimal(values[index]) }
        case .string:
          let values = try tensor.strings()
          // `_bytes` outputs may hold any bytes: written as base64. Other strings are written as
          // text (invalid UTF-8 replaced, so the response stays valid JSON).
          if name.hasSuffix("_bytes") {
            element = { index, writer in
              writer.raw("{\"b64\":")
              writer.quoted(Data(values[index]).base64EncodedString())
              writer.raw(UInt8(ascii: "}"))
            }
          } else {
            element = { index, writer in writer.quoted(String(decoding: values[index], as: UTF8.self)) }
          }
        case .bool:
          let values = try tensor.bools()
          element = { index, writer in writer.raw(values[index] ? "true" : "false") }
        case .uint64:
          let values = try tensor.uint64s()
          element = { index, writer in writer.raw(String(values[index])) }
        case .uint32:
          let values = try tensor.uint32s()
          element = { index, writer in writer.raw(String(values[index])) }
        case .int8, .int16, .int32, .int64, .uint8, .uint16:
          let values = try Cast.apply(tensor, to: .int64).int64s()
          element = { index, writer in writer.raw(String(values[index])) }
        case .complex64, .complex128:
          // TensorFlow Serving's JSON writer has no case for complex types and fails the same way.
          throw TensorError.unsupportedDType(op: "JSON", tensor.dtype)
        }
      } catch {
        throw .invalid(
          "Failed to write JSON value for tensor type: \(ServingTensorCodec.typeName(tensor.dtype))", file: nil,
          underlying: error)
      }
    }

    mutating func write(dimension: Int, into writer: inout ServingJSONWriter) {
      guard dimension < shape.count else {
        element(offset, &writer)
        offset += 1
        return
      }
      writer.raw(UInt8(ascii: "["))
      for index in 0..<shape[dimension] {
        if index > 0 { writer.raw(UInt8(ascii: ",")) }
        write(dimension: dimension + 1, into: &writer)
      }
      writer.raw(UInt8(ascii: "]"))
    }
  }
}

extension Tensor {
  /// An empty tensor of a dtype JSON cannot fill (half, bfloat16, uint16), for a zero-size input.
  fileprivate static func empty(_ dtype: DType, shape: [Int]) -> Tensor {
    switch dtype {
    case .float16: Tensor(float16: [], shape: shape)
    case .bfloat16: Tensor(bfloat16: [], shape: shape)
    default: Tensor(uint16: [], shape: shape)
    }
  }
}
