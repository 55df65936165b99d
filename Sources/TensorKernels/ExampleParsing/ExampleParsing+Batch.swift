import RegistryCore

extension ExampleParsing {
  /// Parses a vector of serialized Examples (`ParseExampleV2` and `ParseExample` with a vector
  /// input; TensorFlow's `FastParseExample`).
  ///
  /// Each example's feature map is read from its last entry back, so the last entry of a key is
  /// the one used. For a dense feature an empty Feature counts as absent (an earlier entry of the
  /// key may then be used, or the default); for a sparse or ragged one it counts as present with
  /// no values. Examples are parsed in order and the first failure is reported, as TensorFlow's
  /// minibatches do; its minibatches show in one message only, the running count of a variable
  /// length feature's values ("Saw N values"), which is counted over the same minibatch.
  ///
  /// - Parameters:
  ///   - serialized: the serialized Examples.
  ///   - names: a name per example for messages, or none (`<unknown>`).
  ///   - op: the op name for errors.
  /// - Throws: `TensorError.invalidArgument` with TensorFlow's message for a configuration it
  ///   refuses or an example it cannot parse; `.limitExceeded` for outputs past `Limits.current`.
  /// - Complexity: O(bytes + batch × dense elements + the padded variable length outputs).
  package static func parse(
    _ serialized: [[UInt8]], names: [[UInt8]], _ configuration: Configuration, op: String
  ) throws(TensorError) -> Result {
    let plan = try Plan(configuration, op: op)
    var parser = try BatchParser(plan, batch: serialized.count)
    let starts = minibatchStarts(serialized)
    for (index, example) in serialized.enumerated() {
      if starts.contains(index) { parser.startMinibatch() }
      try parser.parse(example, index: index, name: names.isEmpty ? nil : names[index])
    }
    return try parser.result()
  }

  /// The first example of each of TensorFlow's minibatches: about 50,000 bytes each, at least
  /// min(8, batch) and at most 64 of them, spread evenly over the examples.
  static func minibatchStarts(_ serialized: [[UInt8]]) -> Set<Int> {
    var chunks = 0
    var bytes = 0
    for example in serialized {
      if bytes == 0 { chunks += 1 }
      bytes += example.count + 1
      if bytes > 50_000 { bytes = 0 }
    }
    let count = max(min(8, serialized.count), min(64, chunks))
    return Set((0..<count).map { serialized.count * $0 / count })
  }
}

/// The state of one batch parse: the fixed-length dense outputs, filled in place, and the
/// values of the other features, kept until every example is read.
private struct BatchParser {
  let plan: ExampleParsing.Plan
  let batch: Int
  var fixed: [FeatureValues]
  var varying: [FeatureValues]
  var sparse: [FeatureValues]
  var ragged: [FeatureValues]
  /// The values each variable length feature had when the current minibatch started.
  var minibatchStart: [Int]
  var scratch: [DType: FeatureValues] = [:]
  /// Each fixed-length dense feature's default, as values to copy into its rows.
  let defaults: [FeatureValues?]

  init(_ plan: ExampleParsing.Plan, batch: Int) throws(TensorError) {
    self.plan = plan
    self.batch = batch
    let dense = plan.configuration.dense
    fixed = []
    var defaults: [FeatureValues?] = []
    for (index, feature) in dense.enumerated() {
      defaults.append(try Self.values(of: feature))
      var values = FeatureValues(feature.dtype)
      if !feature.isVariableLength {
        let shape = [batch] + feature.shape
        try Shape.checkAllocation(shape, dtype: feature.dtype, op: plan.op)
        let count = batch * plan.strides[index]
        switch feature.dtype {
        case .float32: values.floats = [Float](repeating: 0, count: count)
        case .int64: values.int64s = [Int64](repeating: 0, count: count)
        default: values.strings = [[UInt8]](repeating: [], count: count)
        }
      }
      fixed.append(values)
    }
    varying = dense.map { FeatureValues($0.dtype) }
    sparse = plan.configuration.sparse.map { FeatureValues($0.dtype) }
    ragged = plan.configuration.ragged.map { FeatureValues($0.dtype) }
    minibatchStart = Array(repeating: 0, count: dense.count)
    self.defaults = defaults
  }

  /// A fixed-length feature's default as values, nil when it has none (or is variable length).
  private static func values(of feature: ExampleParsing.DenseFeature) throws(TensorError) -> FeatureValues? {
    let value = feature.defaultValue
    guard !feature.isVariableLength, value.elementCount > 0 else { return nil }
    var values = FeatureValues(feature.dtype)
    switch feature.dtype {
    case .float32: values.floats = try value.floats()
    case .int64: values.int64s = try value.int64s()
    default: values.strings = try value.strings()
    }
    return values
  }

  mutating func startMinibatch() {
    minibatchStart = varying.map(\.count)
  }

  /// `FastParseSerializedExample`; `name` is the example's name for messages, if it has one.
  mutating func parse(_ bytes: [UInt8], index: Int, name given: [UInt8]?) throws(TensorError) {
    let op = plan.op
    func fail(_ reason: String) -> TensorError { .invalidArgument(op: op, reason: reason) }
    var name: String { given.map { String(decoding: $0, as: UTF8.self) } ?? "<unknown>" }
    guard let entries = ExampleWireFormat.entries(bytes) else {
      throw fail("Could not parse example input, value: '\(ExampleParsing.quoted(bytes))'")
    }
    let configuration = plan.configuration
    var denseSeen = [Bool](repeating: false, count: configuration.dense.count)
    var sparseSeen = [Bool](repeating: false, count: configuration.sparse.count)
    var raggedSeen = [Bool](repeating: false, count: configuration.ragged.count)
    for entry in entries.reversed() {
      guard let slot = plan.slots[bytes[entry.key]] else { continue }
      func exampleError(_ suffix: String) -> TensorError {
        let key = String(decoding: bytes[entry.key], as: UTF8.self)
        return fail("Name: \(name), Key: \(key), Index: \(index).  \(suffix)")
      }
      guard let kind = ExampleWireFormat.kind(bytes, entry.value) else { throw fail("Unsupported datatype.") }
      switch slot {
      case .dense(let d):
        guard let dtype = kind.dtype, !denseSeen[d] else { continue }
        denseSeen[d] = true
        let feature = configuration.dense[d]
        guard dtype == feature.dtype else {
          throw exampleError(
            "Data types don't match. Data type: \(ExampleParsing.typeName(dtype)) but expected type: "
              + ExampleParsing.typeName(feature.dtype))
        }
        let stride = plan.strides[d]
        if !feature.isVariableLength {
          // Taken out of the table while used, so its arrays are not copied on write.
          var row = scratch.removeValue(forKey: dtype) ?? FeatureValues(dtype)
          row.removeAll()
          guard let count = row.append(bytes, entry.value, capacity: stride) else {
            throw exampleError("Can't parse serialized Example.")
          }
          guard count == stride else {
            throw exampleError(
              "Number of \(ExampleParsing.listName(dtype)) values != expected.  Values size: \(count) but output shape: "
                + ExampleParsing.format(feature.shape))
          }
          fixed[d].replace(at: index * stride, with: row)
          scratch[dtype] = row
        } else {
          guard varying[d].append(bytes, entry.value) != nil else {
            throw exampleError("Can't parse serialized Example.")
          }
          try varying[d].checkSize(plan.limits, feature: feature.key, op: op)
          let seen = varying[d].count - minibatchStart[d]
          guard seen % stride == 0 else {
            throw exampleError(
              "Number of \(ExampleParsing.listName(dtype)) values is not a multiple of stride length. Saw \(seen) "
                + "values but output shape is: \(ExampleParsing.format(feature.shape))")
          }
          varying[d].ends.append(varying[d].count)
        }
      case .sparse(let d):
        guard !sparseSeen[d] else { continue }
        sparseSeen[d] = true
        try Self.append(bytes, entry.value, kind, to: &sparse[d], configuration.sparse[d], plan, exampleError)
      case .ragged(let d):
        guard !raggedSeen[d] else { continue }
        raggedSeen[d] = true
        try Self.append(bytes, entry.value, kind, to: &ragged[d], configuration.ragged[d], plan, exampleError)
      }
    }
    for (d, feature) in configuration.dense.enumerated() where !denseSeen[d] {
      if feature.isVariableLength {
        varying[d].ends.append(varying[d].count)
        continue
      }
      guard let value = defaults[d] else {
        throw fail(
          "Name: \(name), Feature: \(String(decoding: feature.key, as: UTF8.self)) (data type: "
            + "\(ExampleParsing.typeName(feature.dtype))) is required but could not be found.")
      }
      fixed[d].replace(at: index * plan.strides[d], with: value)
    }
    for d in sparse.indices where !sparseSeen[d] { sparse[d].ends.append(sparse[d].count) }
    for d in ragged.indices where !raggedSeen[d] { ragged[d].ends.append(ragged[d].count) }
  }

  /// A sparse or ragged feature's values: an empty Feature adds none.
  private static func append(
    _ bytes: [UInt8], _ value: Range<Int>, _ kind: ExampleWireFormat.Kind, to values: inout FeatureValues,
    _ feature: ExampleParsing.ListFeature, _ plan: ExampleParsing.Plan, _ exampleError: (String) -> TensorError
  ) throws(TensorError) {
    if let dtype = kind.dtype {
      guard dtype == feature.dtype else {
        throw exampleError(
          "Data types don't match. Expected type: \(ExampleParsing.typeName(feature.dtype)), Actual type: "
            + ExampleParsing.typeName(dtype))
      }
      guard values.append(bytes, value) != nil else { throw exampleError("Can't parse serialized Example.") }
      try values.checkSize(plan.limits, feature: feature.key, op: plan.op)
    }
    values.ends.append(values.count)
  }

  /// The outputs, once every example is parsed.
  func result() throws(TensorError) -> ExampleParsing.Result {
    let op = plan.op
    var result = ExampleParsing.Result()
    for (d, feature) in plan.configuration.dense.enumerated() {
      if !feature.isVariableLength {
        result.denseValues.append(fixed[d].tensor(shape: [batch] + feature.shape))
        continue
      }
      // Rows padded to the longest example, with the default's one element.
      let values = varying[d]
      let stride = plan.strides[d]
      let longest = Self.lengths(values.ends).max() ?? 0
      let shape = [batch, longest / stride] + feature.shape.dropFirst()
      try Shape.checkAllocation(shape, dtype: feature.dtype, op: op)
      func padded<T>(_ list: [T], _ pad: T) -> [T] {
        var output = [T](repeating: pad, count: batch * longest)
        var start = 0
        for (example, end) in values.ends.enumerated() {
          let offset = example * longest
          output.replaceSubrange(offset..<(offset + end - start), with: list[start..<end])
          start = end
        }
        return output
      }
      let pad = feature.defaultValue
      switch feature.dtype {
      case .float32:
        result.denseValues.append(Tensor(float32: padded(values.floats, try pad.floats()[0]), shape: shape))
      case .int64:
        result.denseValues.append(Tensor(int64: padded(values.int64s, try pad.int64s()[0]), shape: shape))
      default:
        result.denseValues.append(Tensor(strings: padded(values.strings, try pad.strings()[0]), shape: shape))
      }
    }
    for values in sparse {
      let count = values.count
      try Shape.checkAllocation([count, 2], dtype: .int64, op: op)
      var indices: [Int64] = []
      indices.reserveCapacity(2 * count)
      var start = 0
      for (example, end) in values.ends.enumerated() {
        for position in 0..<(end - start) {
          indices.append(Int64(example))
          indices.append(Int64(position))
        }
        start = end
      }
      let longest = Self.lengths(values.ends).max() ?? 0
      result.sparseIndices.append(Tensor(int64: indices, shape: [count, 2]))
      result.sparseValues.append(values.tensor())
      result.sparseShapes.append(Tensor(int64: [Int64(batch), Int64(longest)], shape: [2]))
    }
    for (d, values) in ragged.enumerated() {
      result.raggedValues.append(values.tensor())
      let splits = [0] + values.ends
      if plan.configuration.ragged[d].splitsDType == .int32 {
        guard values.count <= Int(Int32.max) else {
          throw .invalidArgument(op: op, reason: "\(values.count) ragged values do not fit int32 row splits")
        }
        result.raggedRowSplits.append(Tensor(int32: splits.map { Int32($0) }, shape: [splits.count]))
      } else {
        result.raggedRowSplits.append(Tensor(int64: splits.map { Int64($0) }, shape: [splits.count]))
      }
    }
    return result
  }

  /// Each example's number of values, from where each ends.
  private static func lengths(_ ends: [Int]) -> [Int] {
    zip(ends, [0] + ends).map { $0 - $1 }
  }
}

extension FeatureValues {
  /// Writes `row`'s values over this list's, from `offset`.
  mutating func replace(at offset: Int, with row: FeatureValues) {
    switch dtype {
    case .float32: floats.replaceSubrange(offset..<(offset + row.floats.count), with: row.floats)
    case .int64: int64s.replaceSubrange(offset..<(offset + row.int64s.count), with: row.int64s)
    default: strings.replaceSubrange(offset..<(offset + row.strings.count), with: row.strings)
    }
  }
}
