extension ExampleParsing {
  /// Parses one serialized Example (`ParseExampleV2` with a scalar input, `ParseSingleExample`;
  /// TensorFlow's `FastParseSingleExample`).
  ///
  /// Outputs have no batch dimension: a dense feature is its own shape (a variable length one
  /// `[rows] + shape[1...]`), a sparse feature's indices are `[values, 1]` and its shape
  /// `[values]`, a ragged feature's row splits are empty. Unlike the batch parse, an empty
  /// Feature counts as absent for every kind, and the messages are this path's own.
  ///
  /// - Throws: `TensorError.invalidArgument` with TensorFlow's message for a configuration it
  ///   refuses or an example it cannot parse; `.limitExceeded` for outputs past `Limits.current`.
  /// - Complexity: O(bytes + dense elements).
  package static func parseSingle(
    _ bytes: [UInt8], _ configuration: Configuration, op: String
  ) throws(TensorError) -> Result {
    let plan = try Plan(configuration, op: op)
    func fail(_ reason: String) -> TensorError { .invalidArgument(op: op, reason: reason) }
    for feature in configuration.dense where !feature.isVariableLength {
      try Shape.checkAllocation(feature.shape, dtype: feature.dtype, op: op)
    }
    guard let entries = ExampleWireFormat.entries(bytes) else {
      throw fail("Could not parse example input, value: '\(quoted(bytes))'")
    }
    var dense: [Tensor?] = Array(repeating: nil, count: configuration.dense.count)
    var sparse: [FeatureValues?] = Array(repeating: nil, count: configuration.sparse.count)
    var ragged: [FeatureValues?] = Array(repeating: nil, count: configuration.ragged.count)
    for entry in entries.reversed() {
      guard let slot = plan.slots[bytes[entry.key]] else { continue }
      let key = String(decoding: bytes[entry.key], as: UTF8.self)
      func parseError(_ description: String) -> TensorError {
        fail("Key: \(key).  Can't parse serialized Example: \(description)")
      }
      guard let kind = ExampleWireFormat.kind(bytes, entry.value) else { throw fail("Unsupported datatype.") }
      guard let dtype = kind.dtype else { continue }
      let expected: DType
      switch slot {
      case .dense(let d):
        guard dense[d] == nil else { continue }
        expected = configuration.dense[d].dtype
      case .sparse(let d):
        guard sparse[d] == nil else { continue }
        expected = configuration.sparse[d].dtype
      case .ragged(let d):
        guard ragged[d] == nil else { continue }
        expected = configuration.ragged[d].dtype
      }
      guard dtype == expected else {
        if case .dense = slot {
          throw fail(
            "Key: \(key).  Data types don't match. Data type: \(typeName(dtype)) but expected type: \(typeName(expected))"
          )
        }
        throw fail(
          "Key: \(key).  Data types don't match. Expected type: \(typeName(expected)), Actual type: \(typeName(dtype))")
      }
      let list = "\(listName(dtype))_list"
      var values = FeatureValues(dtype)
      if case .dense(let d) = slot, !configuration.dense[d].isVariableLength {
        let feature = configuration.dense[d]
        guard let count = values.append(bytes, entry.value, capacity: plan.strides[d]) else {
          throw parseError("Parsing \(list) failed.")
        }
        guard count == plan.strides[d] else { throw parseError("Some \(list) slice was not parsed.") }
        dense[d] = values.tensor(shape: feature.shape)
        continue
      }
      if dtype == .string, ExampleWireFormat.stringCount(bytes, entry.value) == nil {
        throw parseError("Could not get num elements in bytes_list.")
      }
      guard let count = values.append(bytes, entry.value) else { throw parseError("Parsing \(list) failed.") }
      try values.checkSize(plan.limits, feature: bytes[entry.key].map { $0 }, op: op)
      switch slot {
      case .dense(let d):
        let feature = configuration.dense[d]
        let stride = plan.strides[d]
        guard count % stride == 0 else {
          throw fail(
            "Error while parsing feature with key \(key): number of elements should be divisible by \(stride), found "
              + "\(count) instead")
        }
        dense[d] = values.tensor(shape: [count / stride] + feature.shape.dropFirst())
      case .sparse(let d): sparse[d] = values
      case .ragged(let d): ragged[d] = values
      }
    }
    var result = Result()
    for (d, feature) in configuration.dense.enumerated() {
      if let value = dense[d] {
        result.denseValues.append(value)
      } else if feature.isVariableLength {
        result.denseValues.append(FeatureValues(feature.dtype).tensor(shape: [0] + feature.shape.dropFirst()))
      } else if feature.defaultValue.elementCount == 0 {
        throw fail(
          "Feature: \(String(decoding: feature.key, as: UTF8.self)) (data type: \(typeName(feature.dtype))) is "
            + "required but could not be found.")
      } else {
        result.denseValues.append(feature.defaultValue)
      }
    }
    for (d, feature) in configuration.sparse.enumerated() {
      let values = sparse[d] ?? FeatureValues(feature.dtype)
      let count = values.count
      try Shape.checkAllocation([count, 1], dtype: .int64, op: op)
      result.sparseIndices.append(Tensor(int64: (0..<count).map { Int64($0) }, shape: [count, 1]))
      result.sparseValues.append(values.tensor())
      result.sparseShapes.append(Tensor(int64: [Int64(count)], shape: [1]))
    }
    for (d, feature) in configuration.ragged.enumerated() {
      result.raggedValues.append((ragged[d] ?? FeatureValues(feature.dtype)).tensor())
      result.raggedRowSplits.append(
        feature.splitsDType == .int32 ? Tensor(int32: [], shape: [0]) : Tensor(int64: [], shape: [0]))
    }
    return result
  }
}
