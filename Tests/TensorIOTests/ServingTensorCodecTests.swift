import RegistryCore
import Testing

@testable import TensorIO
@testable import TensorKernels

/// Golden request/response pairs for TensorFlow Serving's REST tensor encoding
/// (tensorflow/serving `util/json_tensor.cc` and its tests; shared doc oci-and-serving.md §A1).
@Suite("TensorFlow Serving REST tensor codec")
struct ServingTensorCodecTests {
  func decode(_ json: String, _ inputs: [String: DType]) throws -> (ServingTensorCodec.Format, [String: Tensor]) {
    let body = try ServingTensorCodec.body(Array(json.utf8))
    let result = try ServingTensorCodec.inputs(of: body, signature: inputs)
    return (result.format, result.tensors)
  }

  func failure(_ json: String, _ inputs: [String: DType]) -> TensorIOError? {
    do {
      _ = try decode(json, inputs)
      return nil
    } catch let error as TensorIOError {
      return error
    } catch {
      Issue.record("unexpected error type \(error)")
      return nil
    }
  }

  func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  // MARK: Requests

  @Test("row format with one input batches bare values: half_plus_two's request")
  func rowSingleInput() throws {
    let (format, tensors) = try decode(#"{"instances": [1.0, 2.0, 5.0]}"#, ["x": .float32])
    #expect(format == .row)
    let x = try #require(tensors["x"])
    #expect(x.shape == [3])
    #expect(try x.floats() == [1, 2, 5])
  }

  @Test("row format with named objects builds one tensor per input, batch first")
  func rowNamedInputs() throws {
    let (_, tensors) = try decode(
      #"{"signature_name": "", "instances": [{"a": [1, 2], "b": "x"}, {"a": [3, 4], "b": "y"}]}"#,
      ["a": .int32, "b": .string])
    #expect(tensors["a"]?.shape == [2, 2])
    #expect(try tensors["a"]?.int32s() == [1, 2, 3, 4])
    #expect(try tensors["b"]?.strings() == [Array("x".utf8), Array("y".utf8)])
  }

  @Test("an instance object whose keys differ from the inputs is refused")
  func rowKeysMustMatch() throws {
    let error = try #require(failure(#"{"instances": [{"a": 1}]}"#, ["a": .int32, "b": .int32]))
    #expect(error.category == .invalidArgument)
    #expect(error.message.hasPrefix("Failed to process element: 0 of 'instances' list. JSON object: {\"a\":1}"))
    #expect(error.message.hasSuffix("keys must be equal to: a,b"))
  }

  @Test("a plain list with several inputs is refused with TensorFlow Serving's message")
  func rowPlainListSeveralInputs() throws {
    let error = try #require(failure(#"{"instances": [1, 2]}"#, ["a": .int32, "b": .int32]))
    #expect(
      error.message
        == "instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map"
    )
  }

  @Test("columnar inputs keep their written shape, ignore extra keys, and need every input")
  func columnar() throws {
    let (format, tensors) = try decode(
      #"{"inputs": {"a": [[1, 2, 3]], "b": 7, "unused": true}}"#, ["a": .int64, "b": .int64])
    #expect(format == .columnar)
    #expect(tensors["a"]?.shape == [1, 3])
    #expect(tensors["b"]?.shape == [])
    #expect(try tensors["b"]?.int64s() == [7])
    #expect(tensors["unused"] == nil)
    let missing = try #require(failure(#"{"inputs": {"a": 1}}"#, ["a": .int64, "b": .int64]))
    #expect(missing.message == "Missing named input: b in 'inputs' object.")
  }

  @Test("b64 objects become string bytes, in both formats")
  func base64Inputs() throws {
    let (_, row) = try decode(#"{"instances": [{"b64": "aGVsbG8="}, {"b64": "AP8"}]}"#, ["s": .string])
    #expect(try row["s"]?.strings() == [Array("hello".utf8), [0x00, 0xFF]])
    let (_, columnar) = try decode(#"{"inputs": {"b64": "aGk="}}"#, ["s": .string])
    #expect(columnar["s"]?.shape == [])
    #expect(try columnar["s"]?.strings() == [Array("hi".utf8)])
    let bad = try #require(failure(#"{"inputs": [{"b64": "!!!"}]}"#, ["s": .string]))
    #expect(bad.message == "Unable to base64 decode")
  }

  @Test("NaN and Infinity tokens are read; an int literal into float rounds; overflow is infinite")
  func floatTokens() throws {
    let (_, tensors) = try decode(
      #"{"inputs": [NaN, Infinity, -Infinity, 1435774380, 1e400]}"#, ["x": .float32])
    let values = try #require(try tensors["x"]?.floats())
    #expect(values[0].isNaN)
    #expect(values[1] == .infinity && values[2] == -.infinity)
    #expect(values[3] == Float(1_435_774_380))
    #expect(values[4] == .infinity)
  }

  @Test("1.0 into an int32 input is refused, wrapped per element in the row format")
  func decimalIntoInteger() throws {
    let row = try #require(failure(#"{"instances": [1, 1.0]}"#, ["x": .int32]))
    #expect(row.category == .invalidArgument)
    #expect(
      row.message
        == "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: JSON Value: 1.0 Type: Number is not of expected type: int32"
    )
    let columnar = try #require(failure(#"{"inputs": [true]}"#, ["x": .float32]))
    #expect(columnar.message == "JSON Value: true Type: True is not of expected type: float")
    let range = try #require(failure(#"{"inputs": [300]}"#, ["x": .uint8]))
    #expect(range.category == .invalidArgument)
    let (_, big) = try decode(#"{"inputs": [18446744073709551615]}"#, ["x": .uint64])
    #expect(try big["x"]?.uint64s() == [.max])
  }

  @Test("ragged lists are refused: across instances by size, inside a tensor by list length")
  func ragged() throws {
    let across = try #require(failure(#"{"instances": [[1, 2], [3]]}"#, ["x": .int32]))
    #expect(
      across.message
        == "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting tensor size: 2 but got: 1"
    )
    let shape = try #require(failure(#"{"instances": [[1, 2], [[3], [4]]]}"#, ["x": .int32]))
    #expect(shape.message.contains("Expecting shape [2] but got: [2,1]"))
    let inside = try #require(failure(#"{"inputs": [[1, 2], [3]]}"#, ["x": .int32]))
    #expect(inside.message == "Encountered list at unexpected size: 1 at level: 1 expected size: 2")
    let deeper = try #require(failure(#"{"inputs": [1, [2]]}"#, ["x": .int32]))
    #expect(deeper.message == "Encountered list at unexpected level: 1 expected < 1")
  }

  @Test("both keys, neither key, an empty body, a non-object and a bad signature_name are 400s")
  func malformedBodies() throws {
    let both = try #require(failure(#"{"inputs": [1], "instances": [1]}"#, ["x": .int32]))
    #expect(
      both.message.hasSuffix("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist "))
    let neither = try #require(failure(#"{"signature_name": "s"}"#, ["x": .int32]))
    #expect(neither.message == "Missing 'inputs' or 'instances' key")
    #expect(throws: TensorIOError.self) { try ServingTensorCodec.body([]) }
    do {
      _ = try ServingTensorCodec.body([])
    } catch {
      #expect(error.message == "JSON Parse error: The document is empty")
    }
    do {
      _ = try ServingTensorCodec.body(Array("[1]".utf8))
      Issue.record("an array body was accepted")
    } catch {
      #expect(error.message == "JSON Value: [1] Is not object")
    }
    do {
      _ = try ServingTensorCodec.body(Array(#"{"signature_name": 3}"#.utf8))
      Issue.record("a numeric signature_name was accepted")
    } catch {
      #expect(error.message.hasSuffix("not formatted correctly. 'signature_name' key must be a string value."))
    }
    do {
      _ = try ServingTensorCodec.body(Array(#"{"a": [1, 2"#.utf8))
      Issue.record("truncated JSON was accepted")
    } catch {
      #expect(error.message.hasPrefix("JSON Parse error: "))
      #expect(error.message.contains("at offset: "))
    }
    let empty = try #require(failure(#"{"instances": []}"#, ["x": .int32]))
    #expect(empty.message.hasSuffix("No values in 'instances' array"))
  }

  @Test("a dtype JSON cannot carry is 501 through inputs and 400 through instances")
  func unsupportedDType() throws {
    let columnar = try #require(failure(#"{"inputs": [1.5]}"#, ["x": .float16]))
    #expect(columnar.category == .unsupported)
    #expect(columnar.message == "Conversion of JSON Value: 1.5 to type: half")
    let row = try #require(failure(#"{"instances": [1.5]}"#, ["x": .float16]))
    #expect(row.category == .invalidArgument)
    #expect(row.message.contains("UNIMPLEMENTED: Conversion of JSON Value: 1.5 to type: half"))
  }

  @Test("complex tensors: refused in requests and responses, as TensorFlow Serving's json_tensor.cc does")
  func complexRefused() throws {
    let input = try #require(failure(#"{"inputs": [1.5]}"#, ["x": .complex64]))
    #expect(input.category == .unsupported)
    #expect(input.message == "Conversion of JSON Value: 1.5 to type: complex64")
    #expect {
      _ = try ServingTensorCodec.predictResponse(
        ["z": Tensor(complex64: [Complex64(1, 2)], shape: [1])], format: .columnar)
    } throws: { error in
      (error as? TensorIOError)?.message == "Failed to write JSON value for tensor type: complex64"
        && (error as? TensorIOError)?.category == .invalidArgument
    }
  }

  @Test("nesting deeper than the parser allows is an error, not a crash")
  func deepNesting() throws {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let error = try #require(failure("{\"inputs\": \(deep)}", ["x": .int32]))
    #expect(error.message.hasPrefix("JSON Parse error: Nesting deeper than"))
  }

  @Test("input sizes go through Limits")
  func limits() throws {
    var small = Limits()
    small.tensorElements = 3
    let body = try ServingTensorCodec.body(Array(#"{"inputs": [1, 2, 3, 4]}"#.utf8))
    #expect {
      _ = try ServingTensorCodec.inputs(of: body, signature: ["x": .int32], limits: small)
    } throws: { error in
      (error as? TensorIOError)?.category == .resourceExhausted
    }
  }

  // MARK: Responses

  @Test("floats are written as %g, else %.9g (float) or %.17g (double), with .0 for whole numbers")
  func floatText() {
    let floats: [(Float, String)] = [
      (3, "3.0"), (999_999, "999999.0"), (9_000_000, "9e+06"), (0.00003, "3e-05"), (555_557.5, "555557.5"),
      (0.1, "0.1"), (1.2345678, "1.23456776"), (16_777_217, "16777216.0"), (-0.0, "-0.0"), (.nan, "NaN"),
      (.infinity, "Infinity"), (-.infinity, "-Infinity"),
    ]
    for (value, expected) in floats {
      #expect(ServingJSONWriter.decimalText(value) == expected, "float \(value)")
    }
    let doubles: [(Double, String)] = [(0.1, "0.1"), (1.0 / 3.0, "0.33333333333333331"), (2, "2.0"), (1e300, "1e+300")]
    for (value, expected) in doubles {
      #expect(ServingJSONWriter.decimalText(value) == expected, "double \(value)")
    }
  }

  @Test("row response: one output unnamed per instance; several as objects; _bytes as b64")
  func rowResponse() throws {
    let one = try ServingTensorCodec.predictResponse(
      ["y": Tensor(float32: [2.5, 3, 4.5], shape: [3])], format: .row)
    #expect(text(one) == #"{"predictions":[2.5,3.0,4.5]}"#)
    let several = try ServingTensorCodec.predictResponse(
      [
        "scores": Tensor(float32: [0.25, 0.75, 1, 0], shape: [2, 2]),
        "id_bytes": Tensor(strings: [[0xFF, 0x00], Array("ok".utf8)], shape: [2]),
        "label": Tensor(strings: ["cat", "dog"], shape: [2]),
        "count": Tensor(int64: [Int64.max, -1], shape: [2]),
      ], format: .row)
    #expect(
      text(several)
        == #"{"predictions":[{"count":9223372036854775807,"id_bytes":{"b64":"/wA="},"label":"cat","scores":[0.25,0.75]},{"count":-1,"id_bytes":{"b64":"b2s="},"label":"dog","scores":[1.0,0.0]}]}"#
    )
  }

  @Test("row response: a scalar output or a batch mismatch is refused; zero batch gives []")
  func rowResponseErrors() throws {
    #expect {
      _ = try ServingTensorCodec.predictResponse(["total": Tensor(float32: [1], shape: [])], format: .row)
    } throws: { error in
      (error as? TensorIOError)?.message == "Tensor name: total has no shape information "
    }
    #expect {
      _ = try ServingTensorCodec.predictResponse(
        ["a": Tensor(float32: [1, 2], shape: [2]), "b": Tensor(float32: [1], shape: [1])], format: .row)
    } throws: { error in
      (error as? TensorIOError)?.message == "Tensor name: b has inconsistent batch size: 1 expecting: 2"
    }
    let empty = try ServingTensorCodec.predictResponse(["y": Tensor(float32: [], shape: [0, 3])], format: .row)
    #expect(text(empty) == #"{"predictions":[]}"#)
  }

  @Test("columnar response: one output bare, several keyed, scalars allowed, bools and NaN tokens")
  func columnarResponse() throws {
    let one = try ServingTensorCodec.predictResponse(
      ["y": Tensor(float64: [1, .nan], shape: [1, 2])], format: .columnar)
    #expect(text(one) == #"{"outputs":[[1.0,NaN]]}"#)
    let several = try ServingTensorCodec.predictResponse(
      ["total": Tensor(float32: [6], shape: []), "flags": Tensor(bool: [true, false], shape: [2])], format: .columnar)
    #expect(text(several) == #"{"outputs":{"flags":[true,false],"total":6.0}}"#)
  }

  @Test("error bodies escape the message")
  func errorBody() {
    #expect(text(ServingTensorCodec.errorBody("bad \"x\"\n")) == #"{"error":"bad \"x\"\n"}"#)
  }

  @Test("the parser keeps integer and decimal literals apart, and unicode escapes")
  func parser() throws {
    let value = try ServingJSON.parse(
      Array(#"{"a": [1, 1.0, -9223372036854775808, 18446744073709551615, "\u00e9\ud83d\ude00"]}"#.utf8))
    #expect(
      value["a"]
        == .array([.int(1), .double(1), .int(.min), .uint(.max), .string("é😀")]))
  }
}
