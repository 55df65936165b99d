import TensorKernels
import TextKernels

/// `tf.strings.unicode_decode`, `unicode_decode_with_offsets`, `unicode_encode` and
/// `unicode_transcode`: text between bytes and code points in UTF-8, UTF-16-BE and UTF-32-BE,
/// with TensorFlow's error modes (`UnicodeTranscoding` has the rules); `unicode_script`, each
/// code point's script (`UnicodeScripts`).
enum UnicodeOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("UnicodeDecode") { context throws(InferenceError) in
      Array(try decode(context).prefix(2))
    }
    registry.register("UnicodeDecodeWithOffsets") { context throws(InferenceError) in
      try decode(context)
    }
    registry.register("UnicodeEncode") { context throws(InferenceError) in
      [.tensor(try encode(context))]
    }
    registry.register("UnicodeTranscode") { context throws(InferenceError) in
      [.tensor(try transcode(context))]
    }
    registry.register("UnicodeScript") { context throws(InferenceError) in
      let input = try context.tensor(0)
      guard input.dtype == .int32 else {
        throw InferenceError(.invalidArgument, "\(context.location): input must be int32, got \(input.dtype)")
      }
      let codePoints = try context.run { try input.int32s() }
      return [.tensor(Tensor(int32: codePoints.map(UnicodeScripts.script(of:)), shape: input.shape))]
    }
  }

  /// The error mode, replacement and control-character attributes every op here but
  /// `UnicodeEncode` has.
  static func options(_ context: OpContext) throws(InferenceError) -> UnicodeTranscoding.Options {
    let errors = try context.string("errors", default: "replace")
    let replacement = try context.int("replacement_char", default: 0xFFFD)
    let control = try context.bool("replace_control_characters")
    return try context.text { () throws(TextError) in
      try UnicodeTranscoding.Options(
        errors: UnicodeTranscoding.ErrorMode(name: errors), replacementChar: Int64(replacement),
        replaceControlCharacters: control)
    }
  }

  /// Row splits (one row per element of the input, in row-major order), code points and the
  /// byte offset each code point starts at. A string of n bytes decodes to at most n code
  /// points, so the outputs are checked against the limits from the input's size.
  static func decode(_ context: OpContext) throws(InferenceError) -> [Value] {
    let options = try options(context)
    let encodingName = try context.string("input_encoding")
    let encoding = try context.text { () throws(TextError) in try UnicodeTranscoding.Encoding(name: encodingName) }
    let splitsType = try context.dtype("Tsplits", default: .int64)
    let strings = try context.strings(0)
    let bound = strings.reduce(0) { $0 + $1.count }
    try context.checkOutput([bound], .int64)
    var splits = [0]
    splits.reserveCapacity(strings.count + 1)
    var characters: [Int32] = []
    var offsets: [Int64] = []
    for string in strings {
      try context.text { () throws(TextError) in
        try UnicodeTranscoding.decode(string, encoding, options) { character, offset in
          characters.append(character)
          offsets.append(Int64(offset))
        }
      }
      splits.append(characters.count)
    }
    if splitsType == .int32, characters.count > Int(Int32.max) {
      throw InferenceError(
        .invalidArgument, "\(context.location): \(characters.count) characters do not fit int32 row splits")
    }
    return [
      .tensor(try ArrayOps.integerTensor(splits, type: splitsType, context)),
      .tensor(Tensor(int32: characters, shape: [characters.count])),
      .tensor(Tensor(int64: offsets, shape: [offsets.count])),
    ]
  }

  /// One string per row of `input_values` cut by `input_splits` (1-D, starting at 0,
  /// non-decreasing, ending at the number of values).
  static func encode(_ context: OpContext) throws(InferenceError) -> Tensor {
    let errorsName = try context.string("errors", default: "replace")
    let replacement = try context.int("replacement_char", default: 0xFFFD)
    let encodingName = try context.string("output_encoding")
    let (encoding, errors) = try context.text { () throws(TextError) in
      let options = try UnicodeTranscoding.Options(
        errors: UnicodeTranscoding.ErrorMode(name: errorsName), replacementChar: Int64(replacement),
        replaceControlCharacters: false)
      return (try UnicodeTranscoding.Encoding(name: encodingName), options.errors)
    }
    let values = try context.tensor(0)
    guard values.dtype == .int32 else {
      throw InferenceError(.invalidArgument, "\(context.location): input_values must be int32, got \(values.dtype)")
    }
    let codePoints = try context.run { try values.int32s() }
    let splitsTensor = try context.tensor(1)
    let splits = try ArrayOps.integers(splitsTensor, context)
    guard splitsTensor.shape.count == 1, let first = splits.first, first == 0, splits.last == codePoints.count,
      zip(splits, splits.dropFirst()).allSatisfy({ $0 <= $1 })
    else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): input_splits must be 1-D, start at 0, never decrease and end at the \(codePoints.count) input values"
      )
    }
    try context.checkStringBytes(Int64(codePoints.count) * 4, of: "the encoded strings")
    var strings: [[UInt8]] = []
    strings.reserveCapacity(splits.count - 1)
    for (start, end) in zip(splits, splits.dropFirst()) {
      strings.append(
        try context.text { () throws(TextError) in
          try UnicodeTranscoding.encode(
            codePoints[start..<end], encoding, errors: errors, replacementChar: Int32(replacement))
        })
    }
    return Tensor(strings: strings, shape: [strings.count])
  }

  /// Each string decoded from `input_encoding` and encoded in `output_encoding`; the shape is
  /// the input's. An output is at most four bytes per input byte.
  static func transcode(_ context: OpContext) throws(InferenceError) -> Tensor {
    let options = try options(context)
    let (sourceName, targetName) = (try context.string("input_encoding"), try context.string("output_encoding"))
    let (source, target) = try context.text { () throws(TextError) in
      (try UnicodeTranscoding.Encoding(name: sourceName), try UnicodeTranscoding.Encoding(name: targetName))
    }
    let input = try context.tensor(0)
    let strings = try context.strings(0)
    try context.checkStringBytes(
      strings.reduce(Int64(0)) { $0 + Int64($1.count) * 4 + Int64(MemoryLayout<[UInt8]>.stride) },
      of: "the transcoded strings")
    var output: [[UInt8]] = []
    output.reserveCapacity(strings.count)
    for string in strings {
      output.append(
        try context.text { () throws(TextError) in
          try UnicodeTranscoding.transcode(string, from: source, to: target, options)
        })
    }
    return Tensor(strings: output, shape: input.shape)
  }
}
