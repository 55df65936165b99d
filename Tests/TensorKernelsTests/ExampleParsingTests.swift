import Testing

@testable import TensorKernels

/// Serialized `tf.Example` protos written byte by byte, so the tests control the wire format
/// exactly: packed or unpacked lists, duplicate keys, concatenations, lying lengths.
enum Wire {
  static func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    return bytes + [UInt8(value)]
  }

  static func varint(_ value: Int64) -> [UInt8] { varint(UInt64(bitPattern: value)) }

  /// A length-delimited field.
  static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
    varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
  }

  static func littleEndian(_ value: Float) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
  }

  /// FloatList contents: one packed run, or each value tagged (field 1, fixed32).
  static func floatList(_ values: [Float], packed: Bool = true) -> [UInt8] {
    packed ? field(1, values.flatMap(littleEndian)) : values.flatMap { [0x0D] + littleEndian($0) }
  }

  /// Int64List contents: one packed run, or each value tagged (field 1, varint).
  static func int64List(_ values: [Int64], packed: Bool = true) -> [UInt8] {
    packed ? field(1, values.flatMap { varint($0) }) : values.flatMap { [0x08] + varint($0) }
  }

  static func bytesList(_ values: [[UInt8]]) -> [UInt8] { values.flatMap { field(1, $0) } }

  /// A Feature holding a list: bytes (1), floats (2) or int64s (3).
  static func floats(_ values: [Float], packed: Bool = true) -> [UInt8] { field(2, floatList(values, packed: packed)) }
  static func int64s(_ values: [Int64], packed: Bool = true) -> [UInt8] { field(3, int64List(values, packed: packed)) }
  static func strings(_ values: [String]) -> [UInt8] { field(1, bytesList(values.map { Array($0.utf8) })) }

  /// A feature map entry.
  static func entry(_ key: String, _ feature: [UInt8]) -> [UInt8] {
    field(1, field(1, Array(key.utf8)) + field(2, feature))
  }

  /// An Example of `entries`, in order.
  static func example(_ entries: [UInt8]...) -> [UInt8] { field(1, entries.flatMap { $0 }) }
}

/// `ExampleParsing` on hand-built serialized Examples. Every expected value and message came from
/// TensorFlow 2.21's `tf.raw_ops.ParseExampleV2` on the same bytes (where TensorFlow crashes, the
/// test says so and expects an error).
@Suite("parsing serialized tf.Example protos")
struct ExampleParsingTests {
  typealias Config = ExampleParsing.Configuration
  typealias Dense = ExampleParsing.DenseFeature
  typealias List = ExampleParsing.ListFeature

  /// `x` float [4] required, `n` int64 scalar (default -1), `s` string scalar (default "none").
  static let dense = Config(dense: [
    Dense(key: Array("x".utf8), dtype: .float32, shape: [4], defaultValue: Tensor(float32: [], shape: [0])),
    Dense(key: Array("n".utf8), dtype: .int64, shape: [], defaultValue: Tensor(int64: [-1], shape: [])),
    Dense(key: Array("s".utf8), dtype: .string, shape: [], defaultValue: Tensor(strings: ["none"], shape: [])),
  ])
  /// `v` int64, `w` float, `t` string, all sparse.
  static let sparse = Config(sparse: [
    List(key: Array("v".utf8), dtype: .int64), List(key: Array("w".utf8), dtype: .float32),
    List(key: Array("t".utf8), dtype: .string),
  ])
  /// Variable-length dense: `q` float [-1] padded with 0.5, `r` int64 [-1, 2] with -7, `u`
  /// string [-1] with "pad".
  static let varying = Config(dense: [
    Dense(key: Array("q".utf8), dtype: .float32, shape: [-1], defaultValue: Tensor(float32: [0.5], shape: [])),
    Dense(key: Array("r".utf8), dtype: .int64, shape: [-1, 2], defaultValue: Tensor(int64: [-7], shape: [])),
    Dense(key: Array("u".utf8), dtype: .string, shape: [-1], defaultValue: Tensor(strings: ["pad"], shape: [])),
  ])
  static let x1234 = Wire.entry("x", Wire.floats([1, 2, 3, 4]))

  func parse(_ examples: [[UInt8]], _ config: Config, names: [String] = []) throws(TensorError)
    -> ExampleParsing.Result
  {
    try ExampleParsing.parse(examples, names: names.map { Array($0.utf8) }, config, op: "ParseExampleV2")
  }

  /// The message of the failure, or nil when the parse succeeds.
  func failure(_ examples: [[UInt8]], _ config: Config, names: [String] = []) -> String? {
    do {
      _ = try parse(examples, config, names: names)
      return nil
    } catch .invalidArgument(_, let reason) {
      return reason
    } catch {
      return "\(error)"
    }
  }

  func singleFailure(_ example: [UInt8], _ config: Config) -> String? {
    do {
      _ = try ExampleParsing.parseSingle(example, config, op: "ParseExampleV2")
      return nil
    } catch .invalidArgument(_, let reason) {
      return reason
    } catch {
      return "\(error)"
    }
  }

  func floats(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(float32: values, shape: shape) }
  func int64s(_ values: [Int64], _ shape: [Int]) -> Tensor { Tensor(int64: values, shape: shape) }
  func strings(_ values: [String], _ shape: [Int]) -> Tensor { Tensor(strings: values, shape: shape) }

  // MARK: - Dense features

  @Test("dense features: one row per example, defaults where a feature is missing")
  func denseValues() throws {
    let first = Wire.example(Self.x1234, Wire.entry("n", Wire.int64s([7])), Wire.entry("s", Wire.strings(["hi"])))
    let second = Wire.example(Wire.entry("x", Wire.floats([5, 6, 7, 8])))
    let result = try parse([first, second], Self.dense)
    #expect(
      result.denseValues == [
        floats([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]), int64s([7, -1], [2]), strings(["hi", "none"], [2]),
      ])
    #expect(result.sparseIndices.isEmpty && result.raggedValues.isEmpty)
  }

  @Test("a required dense feature that is missing, or present but empty, fails with TensorFlow's message")
  func requiredFeature() {
    let required = "Name: <unknown>, Feature: x (data type: float) is required but could not be found."
    #expect(
      failure([Wire.example(Self.x1234), Wire.example(Wire.entry("n", Wire.int64s([1])))], Self.dense) == required)
    #expect(failure([Wire.example(Wire.entry("x", []))], Self.dense) == required)
  }

  @Test("a dense feature of another type or size fails; one string too many is a parse error")
  func denseMismatches() {
    let prefix = "Name: <unknown>, Key: x, Index: 0.  "
    #expect(
      failure([Wire.example(Wire.entry("x", Wire.int64s([1, 2, 3, 4])))], Self.dense)
        == prefix + "Data types don't match. Data type: int64 but expected type: float")
    for (values, packed) in [
      ([Float](repeating: 1, count: 3), true), ([1, 2, 3, 4, 5], true), ([1, 2], false), ([1, 2, 3, 4, 5], false),
    ] {
      #expect(
        failure([Wire.example(Wire.entry("x", Wire.floats(values, packed: packed)))], Self.dense)
          == prefix + "Number of float values != expected.  Values size: \(values.count) but output shape: [4]")
    }
    #expect(
      failure([Wire.example(Self.x1234, Wire.entry("n", Wire.int64s([1, 2])))], Self.dense)
        == "Name: <unknown>, Key: n, Index: 0.  Number of int64 values != expected.  Values size: 2 but output shape: []"
    )
    #expect(
      failure([Wire.example(Self.x1234, Wire.entry("s", Wire.strings([])))], Self.dense)
        == "Name: <unknown>, Key: s, Index: 0.  Number of bytes values != expected.  Values size: 0 but output shape: []"
    )
    #expect(
      failure([Wire.example(Self.x1234, Wire.entry("s", Wire.strings(["a", "b"])))], Self.dense)
        == "Name: <unknown>, Key: s, Index: 0.  Can't parse serialized Example.")
  }

  @Test("names: the failing example's name and index are in the message")
  func names() {
    let examples = [Wire.example(Self.x1234), Wire.example(Wire.entry("x", Wire.int64s([1])))]
    #expect(
      failure(examples, Self.dense, names: ["rec0", "rec1"])
        == "Name: rec1, Key: x, Index: 1.  Data types don't match. Data type: int64 but expected type: float")
  }

  @Test("a dense feature of several dimensions, from the example or the default")
  func matrixFeature() throws {
    let value = Tensor(int64: [1, 2, 3, 4], shape: [2, 2])
    let config = Config(dense: [Dense(key: Array("z".utf8), dtype: .int64, shape: [2, 2], defaultValue: value)])
    let result = try parse([Wire.example(), Wire.example(Wire.entry("z", Wire.int64s([5, 6, 7, 8])))], config)
    #expect(result.denseValues == [int64s([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])])
    #expect(
      failure([Wire.example(Wire.entry("z", Wire.int64s([1, 2, 3])))], config)
        == "Name: <unknown>, Key: z, Index: 0.  Number of int64 values != expected.  Values size: 3 but output shape: [2,2]"
    )
  }

  // MARK: - Wire format

  @Test("packed and unpacked lists give the same values; negative int64s take ten bytes")
  func packedAndUnpacked() throws {
    for packed in [true, false] {
      let example = Wire.example(
        Wire.entry("x", Wire.floats([0.5, -1, 2, 0.25], packed: packed)),
        Wire.entry("n", Wire.int64s([-5], packed: packed)))
      let result = try parse([example], Self.dense)
      #expect(result.denseValues[0] == floats([0.5, -1, 2, 0.25], [1, 4]))
      #expect(result.denseValues[1] == int64s([-5], [1]))
    }
    let sparse = try parse(
      [Wire.example(Wire.entry("v", Wire.int64s([Int64.min, -1, 0, Int64.max], packed: false)))], Self.sparse)
    #expect(sparse.sparseValues[0] == int64s([Int64.min, -1, 0, Int64.max], [4]))
  }

  @Test("varints: ten bytes at most, the bits past 64 dropped; an eleventh byte fails")
  func varintLengths() {
    let tenBytes = [UInt8](repeating: 0xFF, count: 9) + [0x7F]
    #expect(
      (try? parse([Wire.example(Self.x1234, Wire.entry("n", Wire.field(3, Wire.field(1, tenBytes))))], Self.dense))?
        .denseValues[1] == int64s([-1], [1]))
    let elevenBytes = [UInt8](repeating: 0xFF, count: 10) + [0x01]
    #expect(
      failure([Wire.example(Self.x1234, Wire.entry("n", Wire.field(3, Wire.field(1, elevenBytes))))], Self.dense)
        == "Name: <unknown>, Key: n, Index: 0.  Can't parse serialized Example.")
  }

  @Test("the last entry of a key counts; an empty last entry leaves an earlier one to a dense feature")
  func duplicateKeys() throws {
    let last = Wire.example(Self.x1234, Wire.entry("x", Wire.floats([9, 9, 9, 9])))
    #expect(try parse([last], Self.dense).denseValues[0] == floats([9, 9, 9, 9], [1, 4]))
    let emptyLast = Wire.example(Self.x1234, Wire.entry("x", []))
    #expect(try parse([emptyLast], Self.dense).denseValues[0] == floats([1, 2, 3, 4], [1, 4]))
    // The earlier entry has the wrong type, but only the last one is read.
    let shadowed = Wire.example(
      Wire.entry("x", Wire.int64s([1, 2, 3, 4])), Wire.entry("x", Wire.floats([9, 9, 9, 9])))
    #expect(try parse([shadowed], Self.dense).denseValues[0] == floats([9, 9, 9, 9], [1, 4]))
    // A sparse feature's empty last entry is present, with no values.
    let sparse = try parse([Wire.example(Wire.entry("v", Wire.int64s([1, 2])), Wire.entry("v", []))], Self.sparse)
    #expect(sparse.sparseValues[0] == int64s([], [0]))
    #expect(sparse.sparseShapes[0] == int64s([1, 0], [2]))
  }

  @Test("a context Example followed by a record: both are read, and the record's features win")
  func concatenatedExamples() throws {
    let context = Wire.example(Wire.entry("x", Wire.floats([1, 2, 3, 4])), Wire.entry("n", Wire.int64s([3])))
    let record = Wire.example(Wire.entry("x", Wire.floats([5, 6, 7, 8])))
    let result = try parse([context + record], Self.dense)
    #expect(result.denseValues == [floats([5, 6, 7, 8], [1, 4]), int64s([3], [1]), strings(["none"], [1])])
  }

  @Test("top-level fields other than features are skipped by wire type; groups and types 6, 7 fail")
  func unknownFields() throws {
    let record = Wire.example(Wire.entry("v", Wire.int64s([5])))
    let skipped: [[UInt8]] = [
      [0x08, 0x05],  // field 1 as a varint
      [0x00, 0x05],  // tag 0
      [0x11] + Array("12345678".utf8),  // fixed64
      [0x15] + Array("1234".utf8),  // fixed32
      [0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],  // a length of 2^32 - 1 as a C int is negative: Skip does not move
      Wire.field(7, Array("zzz".utf8)),
    ]
    for prefix in skipped {
      #expect(try parse([prefix + record], Self.sparse).sparseValues[0] == int64s([5], [1]), "\(prefix)")
    }
    // A length-delimited field running past the end is skipped to the end.
    #expect(try parse([record + [0x12, 0x7F, 0x61]], Self.sparse).sparseValues[0] == int64s([5], [1]))
    // `features` with an overlong tag is an unknown field, so nothing is read.
    let overlong = [0x8A, 0x00] + Array(record.dropFirst())
    #expect(try parse([overlong], Self.sparse).sparseValues[0] == int64s([], [0]))
    for bad: [UInt8] in [[0x0B], [0x0E]] {
      #expect(failure([bad + record], Self.sparse)?.hasPrefix("Could not parse example input, value: '") == true)
    }
    #expect(
      failure([[0x11, 0x31, 0x32, 0x33, 0x34]], Self.sparse) == "Could not parse example input, value: '\\x111234'")
  }

  @Test("map entries: key and value in either order, nothing else, an overlong key tag accepted")
  func mapEntries() throws {
    let valueFirst = Wire.field(1, Wire.field(1, Wire.field(2, Wire.int64s([5])) + Wire.field(1, Array("v".utf8))))
    #expect(try parse([valueFirst], Self.sparse).sparseValues[0] == int64s([5], [1]))
    let overlongKeyTag = Wire.field(1, Wire.field(1, [0x8A, 0x00, 0x01, 0x76] + Wire.field(2, Wire.int64s([5]))))
    #expect(try parse([overlongKeyTag], Self.sparse).sparseValues[0] == int64s([5], [1]))
    // A key read twice leaves the value empty: present with no values.
    let keyTwice = Wire.field(1, Wire.field(1, Wire.field(1, Array("v".utf8)) + Wire.field(1, Array("v".utf8))))
    #expect(try parse([keyTwice], Self.sparse).sparseShapes[0] == int64s([1, 0], [2]))
    let failing: [[UInt8]] = [
      Wire.field(1, Wire.field(1, Wire.field(1, Array("v".utf8)))),  // no value
      Wire.field(1, Wire.field(1, Wire.field(1, Array("v".utf8)) + Wire.field(2, Wire.int64s([5])) + [0x18, 0x01])),
      Wire.field(1, [0x12, 0x00]),  // Features holding something else than entries
      Wire.field(1, [0x8A, 0x00, 0x05] + Wire.field(1, Array("v".utf8)) + Wire.field(2, [])),  // overlong entry tag
    ]
    for example in failing {
      #expect(failure([example], Self.sparse)?.hasPrefix("Could not parse example input, value: '") == true)
    }
  }

  @Test("a Feature's kind is its first byte; what follows its first list is ignored")
  func featureKinds() throws {
    #expect(failure([Wire.example(Wire.entry("v", Wire.field(4, [])))], Self.sparse) == "Unsupported datatype.")
    #expect(
      failure([Wire.example(Wire.entry("v", [0x9A, 0x00, 0x02, 0x08, 0x05]))], Self.sparse) == "Unsupported datatype.")
    let twoKinds = Wire.example(Wire.entry("v", Wire.int64s([1, 2]) + Wire.floats([3])))
    #expect(try parse([twoKinds], Self.sparse).sparseValues[0] == int64s([1, 2], [2]))
    let trailing = Wire.example(Wire.entry("v", Wire.field(3, Wire.int64List([4]) + [0xFF])))
    #expect(try parse([trailing], Self.sparse).sparseValues[0] == int64s([4], [1]))
    // Two packed runs: only the first is read (protobuf would read both).
    let twoRuns = Wire.example(Wire.entry("w", Wire.field(2, Wire.floatList([1, 2]) + Wire.floatList([3]))))
    #expect(try parse([twoRuns], Self.sparse).sparseValues[1] == floats([1, 2], [2]))
    // Unpacked then packed fails, for floats and int64s.
    let prefix = "Name: <unknown>, Key: "
    let mixedFloats = Wire.example(
      Wire.entry("w", Wire.field(2, Wire.floatList([1], packed: false) + Wire.floatList([3]))))
    #expect(failure([mixedFloats], Self.sparse) == prefix + "w, Index: 0.  Can't parse serialized Example.")
    let mixedInts = Wire.example(
      Wire.entry("v", Wire.field(3, Wire.int64List([1], packed: false) + Wire.int64List([3]))))
    #expect(failure([mixedInts], Self.sparse) == prefix + "v, Index: 0.  Can't parse serialized Example.")
    let badTag = Wire.example(Wire.entry("v", Wire.field(3, [0x10, 0x01])))
    #expect(failure([badTag], Self.sparse) == prefix + "v, Index: 0.  Can't parse serialized Example.")
  }

  // MARK: - Hostile input

  @Test("truncated varints and lengths past the buffer fail cleanly, whatever the level")
  func truncated() {
    let record = Wire.example(Self.x1234)
    for cut in 1..<record.count {
      let message = failure([Array(record.prefix(cut))], Self.dense)
      #expect(message != nil, "cut at \(cut)")
    }
    #expect(failure([[0x0A, 0x85]], Self.dense)?.hasPrefix("Could not parse example input, value: '") == true)
    #expect(failure([[0x0A, 0x85]], Self.dense) == "Could not parse example input, value: '\\n\\x85'")
    let valueTooLong = Wire.field(
      1, Wire.field(1, Wire.field(1, Array("x".utf8)) + [0x12, 0x7F] + Wire.floats([1, 2])))
    #expect(failure([valueTooLong], Self.dense)?.hasPrefix("Could not parse example input") == true)
    let elementTooLong = Wire.example(Wire.entry("t", Wire.field(1, [0x0A, 0x7F, 0x61, 0x62])))
    #expect(
      failure([elementTooLong], Self.sparse) == "Name: <unknown>, Key: t, Index: 0.  Can't parse serialized Example.")
    // An element length of 2^32 - 1: TensorFlow allocates it, then crashes copying it.
    let hugeElement = Wire.example(Wire.entry("t", Wire.field(1, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61])))
    #expect(
      failure([hugeElement], Self.sparse) == "Name: <unknown>, Key: t, Index: 0.  Can't parse serialized Example.")
    let truncatedInt = Wire.example(Wire.entry("v", Wire.field(3, Wire.field(1, [0x81]))))
    #expect(
      failure([truncatedInt], Self.sparse) == "Name: <unknown>, Key: v, Index: 0.  Can't parse serialized Example.")
  }

  @Test("a length past its container runs to the container's end, as protobuf's limits do")
  func lengthsPastTheContainer() throws {
    // Features and entry lengths past the end: read to the end.
    let features = [0x0A, 0x7F] + Array(Wire.example(Wire.entry("x", Wire.floats([1, 2]))).dropFirst(2))
    let twoFloats = Config(dense: [
      Dense(key: Array("x".utf8), dtype: .float32, shape: [2], defaultValue: Tensor(float32: [], shape: [0]))
    ])
    #expect(try parse([features], twoFloats).denseValues[0] == floats([1, 2], [1, 2]))
    let entry = Wire.field(1, [0x0A, 0x7F] + Wire.field(1, Array("x".utf8)) + Wire.field(2, Wire.floats([1, 2])))
    #expect(try parse([entry], twoFloats).denseValues[0] == floats([1, 2], [1, 2]))
    // An entry's length past its Features stops at the Features' end, not the buffer's: what
    // follows is another field, or another Example's features.
    let body = Wire.field(1, Array("v".utf8)) + Wire.field(2, Wire.int64s([5]))
    let pastFeatures = Wire.field(1, [0x0A, 0x7F] + body)
    #expect(try parse([pastFeatures + [0x1A, 0x00]], Self.sparse).sparseValues[0] == int64s([5], [1]))
    let next = Wire.example(Wire.entry("v", Wire.int64s([6])))
    #expect(try parse([pastFeatures + next], Self.sparse).sparseValues[0] == int64s([6], [1]))
    let list = Wire.example(Wire.entry("x", [0x12, 0x7F] + Wire.floatList([1, 2])))
    #expect(try parse([list], twoFloats).denseValues[0] == floats([1, 2], [1, 2]))
    // A packed run claiming 127 bytes over 8: TensorFlow reports 127 / 4 values.
    let packed = Wire.example(Wire.entry("x", Wire.field(2, [0x0A, 0x7F] + Wire.floatList([1, 2]).dropFirst(2))))
    let prefix = "Name: <unknown>, Key: x, Index: 0.  "
    #expect(
      failure([packed], twoFloats) == prefix
        + "Number of float values != expected.  Values size: 31 but output shape: [2]")
    let huge = Wire.example(
      Wire.entry("x", Wire.field(2, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F] + Wire.floatList([1, 2]).dropFirst(2))))
    #expect(
      failure([huge], twoFloats) == prefix
        + "Number of float values != expected.  Values size: 1073741823 but output shape: [2]")
    let short = Wire.example(
      Wire.entry("x", Wire.field(2, [0x0A, 0x7F] + Wire.floatList([1, 2]).dropFirst(2).dropLast())))
    #expect(failure([short], twoFloats) == prefix + "Can't parse serialized Example.")
    // A packed run of 17 or 18 bytes holds 4 floats; the rest is ignored.
    for extra in 1...2 {
      let bytes = Wire.floatList([1, 2, 3, 4, 5]).dropFirst(2).prefix(16 + extra)
      let odd = Wire.example(Wire.entry("x", Wire.field(2, Wire.field(1, Array(bytes)))))
      #expect(try parse([odd], Self.dense).denseValues[0] == floats([1, 2, 3, 4], [1, 4]))
    }
  }

  @Test("sparse packed runs must be all there; a lying length allocates nothing")
  func sparsePackedLengths() throws {
    let prefix = "Name: <unknown>, Key: w, Index: 0.  "
    let beyond = Wire.example(Wire.entry("w", Wire.field(2, [0x0A, 0x7F] + Wire.floatList([1, 2]).dropFirst(2))))
    #expect(failure([beyond], Self.sparse) == prefix + "Can't parse serialized Example.")
    // 2^32 - 1 bytes: TensorFlow resizes its buffer to a billion floats before finding them missing.
    let huge = Wire.example(Wire.entry("w", Wire.field(2, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0x80, 0x3F])))
    #expect(failure([huge], Self.sparse) == prefix + "Can't parse serialized Example.")
    let nine = Wire.example(
      Wire.entry("w", Wire.field(2, [0x0A, 0x09] + Wire.floatList([1, 2]).dropFirst(2) + [0x01])))
    #expect(try parse([nine], Self.sparse).sparseValues[1] == floats([1, 2], [2]))
    let unpackedTrailing = Wire.example(
      Wire.entry("w", Wire.field(2, Wire.floatList([1], packed: false) + [0x0D, 0x00])))
    #expect(failure([unpackedTrailing], Self.sparse) == prefix + "Can't parse serialized Example.")
  }

  @Test("a variable length output is checked against the limits before it is allocated")
  func paddedOutputLimit() throws {
    // One example of 2^16 values and 2^15 + 1 empty ones: a [32769, 65536] output, over 2^31
    // elements, from 65 KB of input.
    let long = Wire.example(Wire.entry("r", Wire.int64s([Int64](repeating: 0, count: 1 << 16))))
    let config = Config(dense: [
      Dense(key: Array("r".utf8), dtype: .int64, shape: [-1], defaultValue: Tensor(int64: [0], shape: []))
    ])
    let examples = [long] + [[UInt8]](repeating: [], count: (1 << 15) + 1)
    do {
      _ = try parse(examples, config)
      Issue.record("a [32770, 65536] output was allocated")
    } catch .limitExceeded(_, let limit) {
      #expect(limit.limit == "TENSOR_ELEMENTS")
    } catch {
      Issue.record("expected a limit, got \(error)")
    }
  }

  // MARK: - Sparse, variable length and ragged features

  @Test("sparse features: indices by example then position, values in order, shape [batch, longest]")
  func sparseLayout() throws {
    let examples = [
      Wire.example(Wire.entry("v", Wire.int64s([1, 2, 3])), Wire.entry("t", Wire.strings(["a"]))),
      Wire.example(),
      Wire.example(Wire.entry("v", Wire.int64s([4])), Wire.entry("w", Wire.floats([0.5, 1.5]))),
    ]
    let result = try parse(examples, Self.sparse)
    #expect(result.sparseIndices[0] == int64s([0, 0, 0, 1, 0, 2, 2, 0], [4, 2]))
    #expect(result.sparseValues[0] == int64s([1, 2, 3, 4], [4]))
    #expect(result.sparseShapes[0] == int64s([3, 3], [2]))
    #expect(result.sparseIndices[1] == int64s([2, 0, 2, 1], [2, 2]))
    #expect(result.sparseValues[1] == floats([0.5, 1.5], [2]))
    #expect(result.sparseShapes[1] == int64s([3, 2], [2]))
    #expect(result.sparseIndices[2] == int64s([0, 0], [1, 2]))
    #expect(result.sparseValues[2] == strings(["a"], [1]))
    #expect(result.sparseShapes[2] == int64s([3, 1], [2]))
    #expect(
      failure([Wire.example(Wire.entry("v", Wire.floats([1])))], Self.sparse)
        == "Name: <unknown>, Key: v, Index: 0.  Data types don't match. Expected type: int64, Actual type: float")
  }

  @Test("an empty batch gives empty outputs of the right shapes")
  func emptyBatch() throws {
    var config = Self.sparse
    config.dense = Self.dense.dense
    let result = try parse([], config)
    #expect(result.sparseShapes == Array(repeating: int64s([0, 0], [2]), count: 3))
    #expect(result.sparseIndices[0] == int64s([], [0, 2]))
    #expect(result.denseValues == [floats([], [0, 4]), int64s([], [0]), strings([], [0])])
  }

  @Test("variable length dense features: rows padded with the default to the longest example")
  func variableLength() throws {
    let examples = [
      Wire.example(Wire.entry("q", Wire.floats([1, 2, 3])), Wire.entry("r", Wire.int64s([1, 2, 3, 4]))),
      Wire.example(Wire.entry("u", Wire.strings(["a"]))),
      Wire.example(Wire.entry("q", Wire.floats([9]))),
    ]
    let result = try parse(examples, Self.varying)
    #expect(result.denseValues[0] == floats([1, 2, 3, 0.5, 0.5, 0.5, 9, 0.5, 0.5], [3, 3]))
    #expect(result.denseValues[1] == int64s([1, 2, 3, 4, -7, -7, -7, -7, -7, -7, -7, -7], [3, 2, 2]))
    #expect(result.denseValues[2] == strings(["pad", "a", "pad"], [3, 1]))
    let none = try parse([Wire.example(Wire.entry("q", Wire.floats([])))], Self.varying)
    #expect(none.denseValues[0] == floats([], [1, 0]))
    #expect(
      failure([Wire.example(Wire.entry("r", Wire.floats([1, 2])))], Self.varying)
        == "Name: <unknown>, Key: r, Index: 0.  Data types don't match. Data type: float but expected type: int64")
  }

  @Test("a count that is no multiple of the row: the running count over TensorFlow's minibatch")
  func strideMessages() {
    let ok = Wire.example(Wire.entry("r", Wire.int64s([1, 2])))
    let bad = Wire.example(Wire.entry("r", Wire.int64s([1, 2, 3])))
    func message(_ index: Int, saw: Int) -> String {
      "Name: <unknown>, Key: r, Index: \(index).  Number of int64 values is not a multiple of stride length. Saw \(saw) "
        + "values but output shape is: [?,2]"
    }
    #expect(failure([ok, bad], Self.varying) == message(1, saw: 3))
    // Ten examples make eight minibatches, starting at 0, 1, 2, 3, 5, 6, 7, 8.
    var ten = [[UInt8]](repeating: ok, count: 10)
    ten[4] = bad
    #expect(failure(ten, Self.varying) == message(4, saw: 5))
    ten[4] = ok
    ten[1] = bad
    #expect(failure(ten, Self.varying) == message(1, saw: 3))
    ten[1] = ok
    ten[9] = bad
    #expect(failure(ten, Self.varying) == message(9, saw: 5))
    // The first failing example is the one reported.
    let wrongType = Wire.example(Wire.entry("r", Wire.floats([1])))
    #expect(failure([ok, wrongType, bad], Self.varying)?.contains("Index: 1.  Data types don't match") == true)
  }

  @Test("ragged features: values and row splits of either dtype; an empty Feature is an empty row")
  func ragged() throws {
    let config = Config(ragged: [
      List(key: Array("a".utf8), dtype: .int64, splitsDType: .int64),
      List(key: Array("b".utf8), dtype: .string, splitsDType: .int32),
    ])
    let examples = [
      Wire.example(Wire.entry("a", Wire.int64s([1, 2]))), Wire.example(),
      Wire.example(Wire.entry("a", Wire.int64s([3])), Wire.entry("b", Wire.strings(["z"]))),
    ]
    let result = try parse(examples, config)
    #expect(result.raggedValues == [int64s([1, 2, 3], [3]), strings(["z"], [1])])
    #expect(result.raggedRowSplits == [int64s([0, 2, 2, 3], [4]), Tensor(int32: [0, 0, 0, 1], shape: [4])])
    let empty = try parse([Wire.example(Wire.entry("a", []))], config)
    #expect(empty.raggedRowSplits[0] == int64s([0, 0], [2]))
    #expect(try parse([], config).raggedRowSplits[1] == Tensor(int32: [0], shape: [1]))
    let single = try ExampleParsing.parseSingle(examples[0], config, op: "ParseExampleV2")
    #expect(single.raggedValues[0] == int64s([1, 2], [2]))
    #expect(single.raggedRowSplits == [int64s([], [0]), Tensor(int32: [], shape: [0])])
  }

  // MARK: - One example

  @Test("one example: no batch dimension, sparse indices [n, 1], this path's own messages")
  func singleExample() throws {
    let example = Wire.example(Self.x1234, Wire.entry("n", Wire.int64s([7])), Wire.entry("s", Wire.strings(["hi"])))
    let result = try ExampleParsing.parseSingle(example, Self.dense, op: "ParseExampleV2")
    #expect(result.denseValues == [floats([1, 2, 3, 4], [4]), int64s([7], []), strings(["hi"], [])])
    let defaults = try ExampleParsing.parseSingle(Wire.example(Self.x1234), Self.dense, op: "ParseExampleV2")
    #expect(defaults.denseValues[1] == int64s([-1], []))
    #expect(
      singleFailure(Wire.example(), Self.dense) == "Feature: x (data type: float) is required but could not be found.")
    #expect(
      singleFailure(Wire.example(Wire.entry("x", Wire.floats([1]))), Self.dense)
        == "Key: x.  Can't parse serialized Example: Some float_list slice was not parsed.")
    #expect(
      singleFailure(Wire.example(Self.x1234, Wire.entry("s", Wire.strings(["a", "b"]))), Self.dense)
        == "Key: s.  Can't parse serialized Example: Parsing bytes_list failed.")
    #expect(
      singleFailure(Wire.example(Self.x1234, Wire.entry("n", Wire.field(3, [0x0A, 0x01, 0x81]))), Self.dense)
        == "Key: n.  Can't parse serialized Example: Parsing int64_list failed.")
    #expect(
      singleFailure(Wire.example(Wire.entry("x", Wire.int64s([1, 2]))), Self.dense)
        == "Key: x.  Data types don't match. Data type: int64 but expected type: float")
    #expect(singleFailure([0x0B], Self.dense) == "Could not parse example input, value: '\\x0b'")
  }

  @Test("one example: sparse and variable length features, and empty Features skipped for every kind")
  func singleExampleLists() throws {
    let sparse = try ExampleParsing.parseSingle(
      Wire.example(Wire.entry("v", Wire.int64s([1, 2, 3]))), Self.sparse, op: "ParseExampleV2")
    #expect(sparse.sparseIndices[0] == int64s([0, 1, 2], [3, 1]))
    #expect(sparse.sparseShapes == [int64s([3], [1]), int64s([0], [1]), int64s([0], [1])])
    #expect(sparse.sparseIndices[1] == int64s([], [0, 1]))
    // Unlike the batch parse, the empty last entry is skipped and the earlier one read.
    let shadow = try ExampleParsing.parseSingle(
      Wire.example(Wire.entry("v", Wire.int64s([1])), Wire.entry("v", [])), Self.sparse, op: "ParseExampleV2")
    #expect(shadow.sparseValues[0] == int64s([1], [1]))
    #expect(
      singleFailure(Wire.example(Wire.entry("v", Wire.floats([1]))), Self.sparse)
        == "Key: v.  Data types don't match. Expected type: int64, Actual type: float")
    #expect(
      singleFailure(Wire.example(Wire.entry("t", Wire.field(1, [0x0A, 0x05, 0x61, 0x62]))), Self.sparse)
        == "Key: t.  Can't parse serialized Example: Could not get num elements in bytes_list.")
    let varying = try ExampleParsing.parseSingle(
      Wire.example(Wire.entry("r", Wire.int64s([1, 2, 3, 4])), Wire.entry("u", Wire.strings(["a", "b"]))),
      Self.varying, op: "ParseExampleV2")
    #expect(varying.denseValues == [floats([], [0]), int64s([1, 2, 3, 4], [2, 2]), strings(["a", "b"], [2])])
    #expect(
      singleFailure(Wire.example(Wire.entry("r", Wire.int64s([1, 2, 3]))), Self.varying)
        == "Error while parsing feature with key r: number of elements should be divisible by 2, found 3 instead")
  }

  // MARK: - Configuration

  @Test("defaults and shapes are checked as TensorFlow checks them, in its words")
  func configuration() {
    func config(_ shape: [Int], _ value: Tensor, dtype: DType = .float32) -> Config {
      Config(dense: [Dense(key: Array("q".utf8), dtype: dtype, shape: shape, defaultValue: value)])
    }
    let example = [Wire.example()]
    #expect(
      failure(example, config([], Tensor(float32: [1], shape: [1])))
        == "def_value[0].shape() == [1] is not compatible with dense_shapes_[0] == []")
    #expect(
      failure(example, config([-1], Tensor(float32: [0.5, 1], shape: [2])))
        == "dense_shape[0] is a variable length shape: [?], therefore def_value[0] must contain a single element (the "
        + "padding element).  But its shape is: [2]")
    #expect(
      failure(example, config([2, -1], Tensor(float32: [0.5], shape: [])))
        == "dense_shapes[0] has unknown rank or unknown inner dimensions: [2,?]")
    #expect(
      failure(example, config([2], Tensor(int64: [1, 2], shape: [2])))
        == "dense_defaults[0].dtype() == int64 != dense_types_[0] == float")
    #expect(
      failure(example, config([1], Tensor(int32: [1], shape: [1]), dtype: .int32)) == "Invalid config dtype: int32")
    // Ours: TensorFlow divides by zero here, and gives a key named twice to no feature.
    #expect(
      failure(example, config([-1, 0], Tensor(float32: [0], shape: [])))
        == "dense_shapes[0] is a variable length shape whose rows have no elements: [?,0]")
    var twice = Self.dense
    twice.sparse = [List(key: Array("x".utf8), dtype: .float32)]
    #expect(failure(example, twice)?.contains("\"x\" is named twice") == true)
    let splits = Config(ragged: [List(key: Array("a".utf8), dtype: .int64, splitsDType: .float32)])
    #expect(failure(example, splits) == "Invalid ragged_split_type: float")
  }

  @Test("the serialized value in a message is escaped and cut at 1,000 bytes")
  func quotedValue() {
    #expect(ExampleParsing.quoted([0x41, 0x0A, 0x00, 0xFF, 0x27]) == "A\\n\\x00\\xff\\'")
    #expect(ExampleParsing.quoted([UInt8](repeating: 0x41, count: 1001)) == String(repeating: "A", count: 1000) + "...")
  }
}
