import Foundation

/// One feature of a `tf.Example` as a classify or regress request spells it in JSON: a list of
/// byte strings, floats or int64s, or nothing (`[]`, a feature with no kind).
package enum ServingFeature: Sendable, Equatable {
  case empty
  case bytes([[UInt8]])
  case floats([Float])
  case int64s([Int64])
}

/// A classify or regress request's records: an optional context, whose features every record
/// shares, and at least one example. Features are by name; a name given twice keeps its last
/// value, as the protobuf map TensorFlow Serving fills does.
package struct ServingExamples: Sendable, Equatable {
  package var context: [String: ServingFeature]?
  package var examples: [[String: ServingFeature]]
}

extension ServingTensorCodec {
  /// The records of a classify or regress body: `{"signature_name"?, "context"?, "examples": [...]}`.
  ///
  /// A feature value is one JSON value or a list of them, all of one kind: an integer is an
  /// int64, a number with a point or an exponent a float, a string or `{"b64": …}` bytes, a
  /// boolean the int64 0 or 1.
  ///
  /// - Throws: `invalidArgument` with TensorFlow Serving's message for a missing, non-list or
  ///   empty `examples`, an example that is not an object, a null, nested list or non-b64 object,
  ///   kinds mixed within one feature, or an integer beyond int64.
  ///
  /// Format reference: tensorflow/serving `util/json_tensor.cc` (`FillClassifyRegressRequestFromJson`).
  package static func examples(of body: PredictBody, action: String) throws(TensorIOError) -> ServingExamples {
    let document = body.document
    var context: [String: ServingFeature]?
    if let value = document["context"] { context = try example(value) }
    guard let list = document["examples"] else {
      throw .invalid(
        "JSON Value: \(document.text) When method is \(action), key 'examples' is expected and was not found",
        file: nil)
    }
    guard case .array(let elements) = list else {
      throw .invalid("JSON Value: \(document.text) Expecting 'examples' value to be an list/array", file: nil)
    }
    guard !elements.isEmpty else {
      throw .invalid("JSON Value: \(document.text) 'examples' value is an empty array", file: nil)
    }
    var examples: [[String: ServingFeature]] = []
    examples.reserveCapacity(elements.count)
    for element in elements { examples.append(try example(element)) }
    return ServingExamples(context: context, examples: examples)
  }

  private static func example(_ value: ServingJSON) throws(TensorIOError) -> [String: ServingFeature] {
    guard case .object(let members) = value else {
      throw .invalid("Example must be JSON object but got JSON \(value.typeName)", file: nil)
    }
    var features: [String: ServingFeature] = [:]
    for (name, content) in members {
      var feature = ServingFeature.empty
      if case .array(let values) = content {
        for element in values { try add(element, to: &feature, name: name) }
      } else {
        try add(content, to: &feature, name: name)
      }
      features[name] = feature
    }
    return features
  }

  /// Appends one JSON value to a feature, which takes the kind of its first value.
  private static func add(_ value: ServingJSON, to feature: inout ServingFeature, name: String) throws(TensorIOError) {
    switch value {
    case .null, .array:
      throw .invalid("Feature: \(name) has element with unexpected JSON type: \(value.typeName)", file: nil)
    case .bool(let flag): try feature.append(int64: flag ? 1 : 0, name: name)
    case .int(let number): try feature.append(int64: number, name: name)
    case .uint:
      // The kind is checked first, as TensorFlow Serving does.
      if case .empty = feature {} else if case .int64s = feature {} else { throw feature.incompatible(name) }
      throw .invalid("Feature: \(name) has uint64_t element. Only int64_t is supported.", file: nil)
    case .double(let number): try feature.append(float: Float(number), name: name)
    case .string(let text): try feature.append(bytes: Array(text.utf8), name: name)
    case .object:
      guard let text = value.base64Text else {
        throw .invalid("Feature: \(name) has element with unexpected JSON type: \(value.typeName)", file: nil)
      }
      if case .empty = feature {} else if case .bytes = feature {} else { throw feature.incompatible(name) }
      guard let bytes = base64Decode(text) else { throw .invalid("Unable to base64 decode", file: nil) }
      try feature.append(bytes: bytes, name: name)
    }
  }

  /// A classify answer: per record, `[label, score]` pairs (`{"results": [[["a", 0.5], …], …]}`).
  package static func classifyResponse(_ results: [[(label: String, score: Float)]]) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"results\":[")
    for (row, classes) in results.enumerated() {
      if row > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.raw(UInt8(ascii: "["))
      for (column, entry) in classes.enumerated() {
        if column > 0 { writer.raw(UInt8(ascii: ",")) }
        writer.raw(UInt8(ascii: "["))
        writer.quoted(entry.label)
        writer.raw(UInt8(ascii: ","))
        writer.decimal(entry.score)
        writer.raw(UInt8(ascii: "]"))
      }
      writer.raw(UInt8(ascii: "]"))
    }
    writer.raw("]}")
    return writer.bytes
  }

  /// A regress answer: one value per record (`{"results": [0.5, …]}`).
  package static func regressResponse(_ values: [Float]) -> [UInt8] {
    var writer = ServingJSONWriter()
    writer.raw("{\"results\":[")
    for (position, value) in values.enumerated() {
      if position > 0 { writer.raw(UInt8(ascii: ",")) }
      writer.decimal(value)
    }
    writer.raw("]}")
    return writer.bytes
  }
}

extension ServingFeature {
  /// The error for a value of another kind than the feature's.
  fileprivate func incompatible(_ name: String) -> TensorIOError {
    let kind =
      switch self {
      case .bytes: "bytes"
      case .floats: "float"
      case .int64s: "int64"
      case .empty: "UNKNOWN"
      }
    return .invalid("Unexpected element type in feature: \(name) expecting type: \(kind)", file: nil)
  }

  fileprivate mutating func append(int64 value: Int64, name: String) throws(TensorIOError) {
    switch self {
    case .empty: self = .int64s([value])
    case .int64s(var values):
      self = .empty  // drops the enum's reference so the append does not copy
      values.append(value)
      self = .int64s(values)
    default: throw incompatible(name)
    }
  }

  fileprivate mutating func append(float value: Float, name: String) throws(TensorIOError) {
    switch self {
    case .empty: self = .floats([value])
    case .floats(var values):
      self = .empty
      values.append(value)
      self = .floats(values)
    default: throw incompatible(name)
    }
  }

  fileprivate mutating func append(bytes value: [UInt8], name: String) throws(TensorIOError) {
    switch self {
    case .empty: self = .bytes([value])
    case .bytes(var values):
      self = .empty
      values.append(value)
      self = .bytes(values)
    default: throw incompatible(name)
    }
  }
}
