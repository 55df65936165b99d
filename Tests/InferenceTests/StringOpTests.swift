import TFProto
import TensorKernels
import Testing

@testable import Inference

/// String, conversion and regex ops on literal tensors. Every expected value was produced by
/// TensorFlow 2.21 on the same inputs.
@Suite("string ops on literal tensors")
struct StringOpTests {
  typealias H = GraphHarness

  func strings(_ values: [String]) -> Tensor { Tensor(strings: values, shape: [values.count]) }
  func bytes(_ values: [[UInt8]]) -> Tensor { Tensor(strings: values, shape: [values.count]) }
  func scalar(_ value: String) -> Tensor { Tensor(strings: [value], shape: []) }

  @Test("lower- and uppercasing: ASCII only without encoding, full Unicode with utf-8")
  func caseMapping() throws {
    let mixed = strings(["HÉLLO ΟΔΟΣ İ", "ABC", ""])
    #expect(try H.run("StringLower", [mixed]) == [strings(["hÉllo ΟΔΟΣ İ", "abc", ""])])
    #expect(
      try H.run("StringLower", [mixed], ["encoding": H.attribute("utf-8")]) == [
        strings(["héllo οδος i\u{307}", "abc", ""])
      ])
    #expect(
      try H.run("StringLower", [strings(["ΣΑ Σ ΑΣ."])], ["encoding": H.attribute("utf-8")]) == [strings(["σα σ ας."])])
    let invalid = bytes([[0x41, 0xFF, 0x42], [0x41, 0xE2, 0x82, 0x42]])
    #expect(
      try H.run("StringLower", [invalid], ["encoding": H.attribute("utf-8")]) == [
        strings(["a\u{FFFD}b", "a\u{FFFD}b"])
      ])
    #expect(
      try H.run("StringUpper", [strings(["héllo straße ﬁ", "ǆ"])], ["encoding": H.attribute("utf-8")]) == [
        strings(["HÉLLO STRASSE FI", "Ǆ"])
      ])
    #expect(try H.run("StringUpper", [strings(["héllo straße"])]) == [strings(["HéLLO STRAßE"])])
    let error = H.failure("StringLower", [mixed], ["encoding": H.attribute("latin1")])
    #expect(error?.message.contains("only utf-8 or '' (no encoding) is supported, received latin1") == true)
  }

  let splitInput = Tensor(strings: ["  a b\t\tc ", "", "a,,b,", "x<>y<>", "a "], shape: [5])

  func split(_ separator: String, _ maxSplit: Int = -1) throws -> (indices: [Int64], values: [String], shape: [Int64]) {
    let outputs = try H.run("StringSplitV2", [splitInput, scalar(separator)], ["maxsplit": H.attribute(maxSplit)])
    return (
      try outputs[0].int64s(), try outputs[1].strings().map { String(decoding: $0, as: UTF8.self) },
      try outputs[2].int64s()
    )
  }

  @Test("StringSplitV2: whitespace runs drop empties, a separator keeps them, maxsplit keeps the rest")
  func splitting() throws {
    let whitespace = try split("")
    #expect(whitespace.values == ["a", "b", "c", "a,,b,", "x<>y<>", "a"])
    #expect(whitespace.indices == [0, 0, 0, 1, 0, 2, 2, 0, 3, 0, 4, 0])
    #expect(whitespace.shape == [5, 3])
    let comma = try split(",")
    #expect(comma.values == ["  a b\t\tc ", "", "a", "", "b", "", "x<>y<>", "a "])
    #expect(comma.shape == [5, 4])
    #expect(try split(",", 1).values == ["  a b\t\tc ", "", "a", ",b,", "x<>y<>", "a "])
    let once = try split("", 1)
    #expect(once.values == ["a", "b\t\tc ", "a,,b,", "", "x<>y<>", "", "a", ""])
    #expect(once.indices == [0, 0, 0, 1, 2, 0, 2, 1, 3, 0, 3, 1, 4, 0, 4, 1])
    #expect(try split("<>").values == ["  a b\t\tc ", "", "a,,b,", "x", "y", "", "a "])
    #expect(try split("", 0).shape == [5, 1])
    let error = H.failure("StringSplitV2", [Tensor(strings: ["a"], shape: [1, 1]), scalar("")])
    #expect(error?.message.contains("input must be a vector, got shape: [1, 1]") == true)
  }

  @Test("StringJoin repeats scalars and checks the other shapes")
  func joining() throws {
    let joined = try H.run(
      "StringJoin", [strings(["a", "b"]), scalar("-"), strings(["c", "d"])], ["separator": H.attribute("+")])
    #expect(joined == [strings(["a+-+c", "b+-+d"])])
    #expect(try H.run("StringJoin", [scalar("a"), scalar("b")]) == [scalar("ab")])
    let error = H.failure("StringJoin", [strings(["a", "b"]), strings(["c", "d", "e"])])
    #expect(error?.message.contains("input shapes do not match: [2] vs. [3]") == true)
  }

  @Test("Substr in bytes and characters, negative positions and lengths, broadcasting")
  func substrings() throws {
    let input = strings(["héllo", "abc"])
    func substr(_ position: Int32, _ length: Int32, _ unit: String) throws -> [String] {
      let output = try H.run(
        "Substr", [input, Tensor(int32: [position], shape: []), Tensor(int32: [length], shape: [])],
        ["unit": H.attribute(unit)])
      return try output[0].strings().map { String(decoding: $0, as: UTF8.self) }
    }
    #expect(try substr(1, 2, "UTF8_CHAR") == ["él", "bc"])
    #expect(try substr(-2, 5, "BYTE") == ["lo", "bc"])
    #expect(try substr(-2, 5, "UTF8_CHAR") == ["lo", "bc"])
    #expect(try substr(0, -1, "BYTE") == ["héllo", "abc"])
    #expect(try substr(0, -1, "UTF8_CHAR") == ["", ""])
    #expect(try substr(3, 1, "BYTE") == ["l", ""])
    #expect(try substr(0, 100, "UTF8_CHAR") == ["héllo", "abc"])
    let middle = try H.run("Substr", [input, Tensor(int64: [2], shape: []), Tensor(int64: [1], shape: [])])
    #expect(try middle[0].strings() == [[0xA9], Array("c".utf8)])
    let elementwise = try H.run(
      "Substr", [strings(["hello", "world"]), Tensor(int32: [1, 2], shape: [2]), Tensor(int32: [2, 3], shape: [2])])
    #expect(elementwise == [strings(["el", "rld"])])
    let matrix = Tensor(strings: ["hello", "world", "abcde", "xyzzy"], shape: [2, 2])
    let broadcast = try H.run(
      "Substr", [matrix, Tensor(int32: [1, 2], shape: [2]), Tensor(int32: [2, 3], shape: [2])])
    #expect(broadcast == [Tensor(strings: ["el", "rld", "bc", "zzy"], shape: [2, 2])])
    let fromScalar = try H.run(
      "Substr", [scalar("hello"), Tensor(int32: [0, 1, 2], shape: [3]), Tensor(int32: [1, 2, 3], shape: [3])])
    #expect(fromScalar == [strings(["h", "el", "llo"])])
    let outOfRange = H.failure(
      "Substr", [strings(["hi", "hello"]), Tensor(int32: [3], shape: []), Tensor(int32: [1], shape: [])])
    #expect(outOfRange?.message.contains("pos 3 out of range for string b'hi' at index 0") == true)
    let negative = H.failure(
      "Substr", [input, Tensor(int32: [-2], shape: []), Tensor(int32: [-1], shape: [])],
      ["unit": H.attribute("UTF8_CHAR")])
    #expect(negative?.message.contains("pos -2 out of range for string at index 0") == true)
  }

  @Test("StringLength counts bytes or UTF-8 characters")
  func lengths() throws {
    let input = bytes([Array("héllo".utf8), [], [0xFF, 0xFE], Array("😀".utf8)])
    #expect(try H.run("StringLength", [input]) == [Tensor(int32: [6, 0, 2, 4], shape: [4])])
    #expect(
      try H.run("StringLength", [input], ["unit": H.attribute("UTF8_CHAR")]) == [
        Tensor(int32: [5, 0, 2, 1], shape: [4])
      ])
  }

  @Test("StringToHashBucketFast is FarmHash Fingerprint64 modulo the bucket count")
  func hashing() throws {
    let text = strings(["", "hello", "the quick brown fox jumps over the lazy dog"])
    #expect(
      try H.run("StringToHashBucketFast", [text], ["num_buckets": H.attribute(1000)]) == [
        Tensor(int64: [263, 296, 619], shape: [3])
      ])
    let big = try H.run("StringToHashBucketFast", [strings(["a", "b"])], ["num_buckets": H.attribute(1 << 62)])
    #expect(big == [Tensor(int64: [3_694_432_073_954_588_131, 2_572_224_033_622_389_014], shape: [2])])
  }

  @Test("AsString formats like printf with TensorFlow's attribute rules")
  func formatting() throws {
    let floats = Tensor(float32: [3.14159, -0.5, 1e10, .nan, .infinity, 0, -0.0, 1e-7], shape: [8])
    func format(_ tensor: Tensor, _ attributes: [String: Tensorflow_AttrValue]) throws -> [String] {
      try H.run("AsString", [tensor], attributes)[0].strings().map { String(decoding: $0, as: UTF8.self) }
    }
    #expect(
      try format(floats, [:]) == [
        "3.141590", "-0.500000", "10000000000.000000", "nan", "inf", "0.000000", "-0.000000", "0.000000",
      ])
    #expect(
      try format(floats, ["shortest": H.attribute(true)]) == [
        "3.14159", "-0.5", "1e+10", "nan", "inf", "0", "-0", "1e-07",
      ])
    #expect(
      try format(floats, ["precision": H.attribute(3), "scientific": H.attribute(true), "width": H.attribute(12)])
        == [
          "   3.142e+00", "  -5.000e-01", "   1.000e+10", "         nan", "         inf", "   0.000e+00",
          "  -0.000e+00", "   1.000e-07",
        ])
    #expect(
      try format(floats, ["width": H.attribute(8), "fill": H.attribute("+")]).prefix(4) == [
        "+3.141590", "-0.500000", "+10000000000.000000", "    +nan",
      ])
    let ints = Tensor(int32: [7, -42, 2_147_483_647], shape: [3])
    #expect(try format(ints, ["width": H.attribute(5), "fill": H.attribute("0")]) == ["00007", "-0042", "2147483647"])
    #expect(try format(ints, ["width": H.attribute(5), "fill": H.attribute("-")]) == ["7    ", "-42  ", "2147483647"])
    #expect(try format(Tensor(uint64: [.max], shape: [1]), [:]) == ["18446744073709551615"])
    #expect(try format(Tensor(int8: [-56], shape: [1]), [:]) == ["-56"])
    #expect(try format(Tensor(bool: [true, false], shape: [2]), [:]) == ["true", "false"])
    #expect(
      try format(Tensor(float64: [0.1, 1.0 / 3, 1e21, 123_456_789], shape: [4]), ["shortest": H.attribute(true)]) == [
        "0.1", "0.333333", "1e+21", "1.23457e+08",
      ])
    #expect(try format(strings(["ab"]), ["width": H.attribute(5)]) == ["   ab"])
    #expect(
      H.failure("AsString", [ints], ["precision": H.attribute(2)])?.message.contains(
        "precision not supported for datatype int32") == true)
    #expect(
      H.failure("AsString", [floats], ["fill": H.attribute("x")])?.message.contains(
        "fill argument not supported: \"x\"") == true)
  }

  @Test("StringToNumber parses like absl and fails on the first bad string")
  func parsing() throws {
    let text = strings([" 7 ", "+5", "-3", "1e3", ".5", "0x1A", "-inf", "Infinity", "1e39", "0x1p3", "\t8\n"])
    let floats = try H.run("StringToNumber", [text], ["out_type": H.attribute(.dtFloat)])
    #expect(
      floats == [Tensor(float32: [7, 5, -3, 1000, 0.5, 26, -.infinity, .infinity, .infinity, 8, 8], shape: [11])])
    let doubles = try H.run("StringToNumber", [strings(["1e39", "4.9e-324"])], ["out_type": H.attribute(.dtDouble)])
    #expect(doubles == [Tensor(float64: [1e39, .leastNonzeroMagnitude], shape: [2])])
    let ints = try H.run(
      "StringToNumber", [strings([" 7 ", "+5", "-2147483648", "007"])], ["out_type": H.attribute(.dtInt32)])
    #expect(ints == [Tensor(int32: [7, 5, -2_147_483_648, 7], shape: [4])])
    let longs = try H.run(
      "StringToNumber", [strings(["9223372036854775807", "-3"])], ["out_type": H.attribute(.dtInt64)])
    #expect(longs == [Tensor(int64: [.max, -3], shape: [2])])
    for (bad, type) in [
      ("2147483648", Tensorflow_DataType.dtInt32), ("1.5", .dtInt64), ("", .dtFloat), ("1,5", .dtDouble),
      ("0x", .dtFloat), ("\u{A0}5", .dtFloat),
    ] {
      let error = H.failure("StringToNumber", [strings(["1", bad])], ["out_type": H.attribute(type)])
      #expect(error?.message.contains("StringToNumberOp could not correctly convert string: \(bad)") == true, "\(bad)")
    }
  }

  @Test("regex ops: static and dynamic patterns, global and first replacement, full match")
  func regexOps() throws {
    let text = strings(["Hello, World!", "a-b_c", ""])
    let punctuation = ##"[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']"##
    let stripped = try H.run(
      "StaticRegexReplace", [text], ["pattern": H.attribute(punctuation), "rewrite": H.attribute("")])
    #expect(stripped == [strings(["Hello World", "abc", ""])])
    let first = try H.run(
      "StaticRegexReplace", [text],
      ["pattern": H.attribute("[a-z]+"), "rewrite": H.attribute("<\\0>"), "replace_global": H.attribute(false)])
    #expect(first == [strings(["H<ello>, World!", "<a>-b_c", ""])])
    let dynamic = try H.run("RegexReplace", [text, scalar(#"(\w+)"#), scalar(#"[\1]"#)])
    #expect(dynamic == [strings(["[Hello], [World]!", "[a]-[b_c]", ""])])
    let matches = try H.run("StaticRegexFullMatch", [text], ["pattern": H.attribute(#"\w+(-\w+)*"#)])
    #expect(matches == [Tensor(bool: [false, true, false], shape: [3])])
    #expect(try H.run("RegexFullMatch", [text, scalar(".*")]) == [Tensor(bool: [true, true, true], shape: [3])])
  }

  @Test("invalid patterns fail as TensorFlow words it; too large is resource_exhausted; RE2's script classes work")
  func regexRejections() throws {
    let text = strings(["a"])
    // The hand-written engine refused script classes as unsupported; RE2 has them.
    let greek = try H.run("StaticRegexFullMatch", [strings(["αβγ", "abc"])], ["pattern": H.attribute(#"\p{Greek}+"#)])
    #expect(greek == [Tensor(bool: [true, false], shape: [2])])
    let lookahead = H.failure("RegexReplace", [text, scalar("a(?=b)"), scalar("")])
    #expect(lookahead?.category == .invalidArgument)
    #expect(
      lookahead?.message.hasSuffix(#"Invalid pattern: a(?=b), error: invalid perl operator: (?="#) == true,
      "\(lookahead?.message ?? "")")
    let backreference = H.failure(
      "StaticRegexReplace", [text], ["pattern": H.attribute(#"(a)\1"#), "rewrite": H.attribute("")])
    #expect(backreference?.category == .invalidArgument)
    #expect(backreference?.message.hasSuffix(#"Invalid pattern: (a)\1, error: invalid escape sequence: \1"#) == true)
    let fullMatch = H.failure("RegexFullMatch", [text, scalar("(a")])
    #expect(fullMatch?.message.hasSuffix("Invalid pattern: (a, error: missing ): (a") == true)
    let nonScalar = H.failure("RegexFullMatch", [text, strings(["a"])])
    #expect(
      nonScalar?.message.contains("Pattern must be scalar, but received [1]") == true, "\(nonScalar?.message ?? "")")
    // 500 letters of any script is about a million RE2 instructions: over the default budget.
    let large = H.failure("StaticRegexFullMatch", [text], ["pattern": H.attribute(#"\pL{500}"#)])
    #expect(large?.category == .resourceExhausted)
    #expect(
      large?.message.contains(#"Invalid pattern: \pL{500}, error: pattern too large - compile failed"#) == true
        && large?.message.contains("REGISTRY_LIMIT_REGEX_MEMORY_BYTES") == true, "\(large?.message ?? "")")
  }

  @Test("regex ops survive the inputs that broke the hand-written engine")
  func regexDefects() throws {
    let text = strings(["a"])
    let nested = H.failure(
      "RegexReplace", [text, scalar(String(repeating: "(", count: 100_000)), scalar("")])
    #expect(nested?.category == .invalidArgument)
    #expect(nested?.message.contains("error: missing ): ((((") == true)
    let long = String(repeating: "a", count: 2 << 20)
    let input = strings([long, long + "b", long + "c"])
    let matches = try H.run("RegexFullMatch", [input, scalar("(a|aa)*(b|a{1000})")])
    #expect(matches == [Tensor(bool: [true, true, false], shape: [3])])
    let replaced = try H.run("RegexReplace", [input, scalar("(a|aa)*(b|a{1000})"), scalar("x")])
    #expect(replaced == [strings(["x", "x", "xc"])])
  }

}
