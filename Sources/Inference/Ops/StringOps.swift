import Checksums
import TensorKernels
import TextKernels

/// String ops: case mapping, joining, lengths, substrings, splitting, hashing to buckets. Strings
/// are byte strings; ops that count characters read them as UTF-8.
enum StringOps {
  static func register(into registry: inout OpRegistry) {
    for (name, lower) in [("StringLower", true), ("StringUpper", false)] {
      registry.register(name) { context throws(InferenceError) in
        let input = try context.tensor(0)
        let strings = try context.strings(0)
        let encoding = try context.string("encoding", default: "")
        guard encoding.isEmpty || encoding == "utf-8" else {
          throw InferenceError(
            .invalidArgument, "\(context.location): only utf-8 or '' (no encoding) is supported, received \(encoding)")
        }
        // Case mapping lengthens a string by a small factor at most (ß to SS).
        try context.checkStringWrites(strings, of: "\(strings.count) case-mapped strings")
        let mapped = strings.map {
          lower
            ? CaseMapping.lowercased($0, unicode: !encoding.isEmpty)
            : CaseMapping.uppercased($0, unicode: !encoding.isEmpty)
        }
        return [.tensor(Tensor(strings: mapped, shape: input.shape))]
      }
    }
    registry.register("StringJoin") { context throws(InferenceError) in
      try stringJoin(context)
    }
    registry.register("StringLength") { context throws(InferenceError) in
      let input = try context.tensor(0)
      let characters = try context.string("unit", default: "BYTE") == "UTF8_CHAR"
      let lengths = try context.strings(0).map { Int32(characters ? UTF8Substring.characterCount($0) : $0.count) }
      return [.tensor(Tensor(int32: lengths, shape: input.shape))]
    }
    registry.register("Substr") { context throws(InferenceError) in
      try substring(context)
    }
    registry.register("StringSplitV2") { context throws(InferenceError) in
      try splitV2(context)
    }
    registry.register("StringToHashBucketFast") { context throws(InferenceError) in
      let input = try context.tensor(0)
      let buckets = try context.int("num_buckets")
      guard buckets > 0 else {
        throw InferenceError(.invalidArgument, "\(context.location): num_buckets must be positive, got \(buckets)")
      }
      let hashes = try context.strings(0).map { Int64(Fingerprint64.hash($0) % UInt64(buckets)) }
      return [.tensor(Tensor(int64: hashes, shape: input.shape))]
    }
    registry.register("StringToHashBucketStrong") { context throws(InferenceError) in
      let input = try context.tensor(0)
      let buckets = try context.int("num_buckets")
      guard buckets > 0 else {
        throw InferenceError(.invalidArgument, "\(context.location): num_buckets must be positive, got \(buckets)")
      }
      let key = try context.ints("key")
      guard key.count == 2 else {
        throw InferenceError(.invalidArgument, "\(context.location): Key must have 2 elements")
      }
      let (key0, key1) = (UInt64(bitPattern: Int64(key[0])), UInt64(bitPattern: Int64(key[1])))
      let hashes = try context.strings(0).map {
        Int64(SipHash.hash($0, key0: key0, key1: key1) % UInt64(buckets))
      }
      return [.tensor(Tensor(int64: hashes, shape: input.shape))]
    }
  }

  /// `StringJoin`: elementwise concatenation with a separator; scalar inputs repeat, every other
  /// input must have one same shape.
  static func stringJoin(_ context: OpContext) throws(InferenceError) -> [Value] {
    let separator = Array(try context.string("separator", default: "").utf8)
    var shape: [Int] = []
    var inputs: [(strings: [[UInt8]], isScalar: Bool)] = []
    for index in context.inputs.indices {
      let tensor = try context.tensor(index)
      let isScalar = tensor.rank == 0
      if !isScalar {
        if shape.isEmpty {
          shape = tensor.shape
        } else if shape != tensor.shape {
          throw InferenceError(
            .invalidArgument,
            "\(context.location): input shapes do not match: \(Shape.format(shape)) vs. \(Shape.format(tensor.shape))")
        }
      }
      inputs.append((try context.strings(index), isScalar))
    }
    let count = shape.reduce(1, *)
    // A scalar input is copied into every output: a long one joined with a long vector is the
    // product of the two, counted (with checked arithmetic) before anything is written.
    var bytes: Int64? = 0
    func add(_ length: Int, times: Int) {
      guard let sum = bytes else { return }
      let (product, overflow) = Int64(length).multipliedReportingOverflow(by: Int64(times))
      let (next, beyond) = sum.addingReportingOverflow(product)
      bytes = overflow || beyond ? nil : next
    }
    add(MemoryLayout<[UInt8]>.stride + separator.count * max(0, inputs.count - 1), times: count)
    for input in inputs {
      if input.isScalar {
        add(input.strings[0].count, times: count)
      } else {
        for string in input.strings { add(string.count, times: 1) }
      }
    }
    try context.checkStringBytes(bytes, of: "\(count) joined strings")
    var joined: [[UInt8]] = []
    joined.reserveCapacity(count)
    for element in 0..<count {
      var text: [UInt8] = []
      for (position, input) in inputs.enumerated() {
        if position > 0 { text += separator }
        text += input.strings[input.isScalar ? 0 : element]
      }
      joined.append(text)
    }
    return [.tensor(Tensor(strings: joined, shape: shape))]
  }

  /// `Substr`: `pos` and `len` have one shape, either scalar, the input's, or one that
  /// broadcasts with it.
  static func substring(_ context: OpContext) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    let strings = try context.strings(0)
    let (positionTensor, lengthTensor) = (try context.tensor(1), try context.tensor(2))
    guard positionTensor.shape == lengthTensor.shape else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): pos and len should have the same shape, got: \(Shape.format(positionTensor.shape)) vs. \(Shape.format(lengthTensor.shape))"
      )
    }
    guard positionTensor.elementCount > 0 else {
      throw InferenceError(.invalidArgument, "\(context.location): received empty tensor pos")
    }
    let positions = try ArrayOps.integers(positionTensor, context)
    let lengths = try ArrayOps.integers(lengthTensor, context)
    let characters = try context.string("unit", default: "BYTE") == "UTF8_CHAR"
    let shape: [Int]
    let stringIndex: [Int]
    let argumentIndex: [Int]
    if positionTensor.rank == 0 || positionTensor.shape == input.shape {
      shape = input.shape
      stringIndex = Array(0..<strings.count)
      argumentIndex = positionTensor.rank == 0 ? [Int](repeating: 0, count: strings.count) : stringIndex
    } else {
      shape = try context.run { try Broadcast.shape(input.shape, positionTensor.shape, op: "Substr") }
      stringIndex = Broadcast.sourceIndices(from: input.shape, to: shape)
      argumentIndex = Broadcast.sourceIndices(from: positionTensor.shape, to: shape)
    }
    // Broadcasting can cut one long string many times: the most each piece can be is counted
    // before any is made.
    var most = Int64(stringIndex.count) * Int64(MemoryLayout<[UInt8]>.stride)
    for (source, argument) in zip(stringIndex, argumentIndex) {
      let length = strings[source].count
      most += Int64(lengths[argument] < 0 ? length : min(lengths[argument], length))
    }
    try context.checkStringBytes(most, of: "\(stringIndex.count) substrings")
    var output: [[UInt8]] = []
    output.reserveCapacity(stringIndex.count)
    for (index, (source, argument)) in zip(stringIndex, argumentIndex).enumerated() {
      let text = strings[source]
      let (position, length) = (positions[argument], lengths[argument])
      let piece =
        characters
        ? UTF8Substring.characters(text, position: position, length: length)
        : UTF8Substring.bytes(text, position: position, length: length)
      guard let piece else {
        let shown = characters ? "" : " b'\(String(decoding: text, as: UTF8.self))'"
        throw InferenceError(
          .invalidArgument, "\(context.location): pos \(position) out of range for string\(shown) at index \(index)")
      }
      output.append(Array(piece))
    }
    return [.tensor(Tensor(strings: output, shape: shape))]
  }

  /// `StringSplitV2`: splits each string of a vector and returns the pieces as a sparse tensor
  /// (`indices` [n, 2] of row and position, `values` [n], `shape` [rows, longest row]).
  static func splitV2(_ context: OpContext) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    guard input.rank == 1 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): input must be a vector, got shape: \(Shape.format(input.shape))")
    }
    let separatorTensor = try context.tensor(1)
    guard separatorTensor.rank == 0 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): sep must be a scalar, got shape: \(Shape.format(separatorTensor.shape))"
      )
    }
    let separator = try context.strings(1)[0]
    let maxSplit = try context.int("maxsplit", default: -1)
    var indices: [Int64] = []
    var values: [[UInt8]] = []
    var longest = 0
    let strings = try context.strings(0)
    // The pieces are no longer than the strings they come from.
    try context.checkStringWrites(strings, of: "the pieces of \(strings.count) strings")
    for (row, text) in strings.enumerated() {
      let pieces = StringSplitting.split(text, separator: separator, maxSplit: maxSplit)
      for (column, piece) in pieces.enumerated() {
        indices += [Int64(row), Int64(column)]
        values.append(Array(piece))
      }
      longest = max(longest, pieces.count)
    }
    return [
      .tensor(Tensor(int64: indices, shape: [values.count, 2])),
      .tensor(Tensor(strings: values, shape: [values.count])),
      .tensor(Tensor(int64: [Int64(input.shape[0]), Int64(longest)], shape: [2])),
    ]
  }
}
