import Foundation
import NumPyFormat
import RegistryCore
import TensorIO
import TensorKernels
import Testing

/// Tensors from and to `.npy` arrays and from JSON, with the category and file each failure
/// reports (`registry run` turns them into its exit status and `--json` error).
@Suite("tensors from and to .npy and JSON")
struct TensorIOTests {
  @Test("numeric, bool and string tensors round-trip through .npy; bfloat16 is written as float32")
  func npyRoundTrip() throws {
    let tensors = [
      Tensor(float32: [1, -2.5], shape: [2]), Tensor(int64: [7], shape: []),
      Tensor(bool: [true, false, true], shape: [3, 1]),
      Tensor(strings: ["a", "", "xyz"], shape: [3]),
      Tensor(complex64: [Complex64(1, -2), Complex64(.infinity, 0.5)], shape: [2, 1]),
      Tensor(complex128: [Complex128(-0.25, 1e300)], shape: []),
    ]
    #expect(try TensorFiles.npy(from: tensors[4]).descr == "<c8")
    #expect(try TensorFiles.npy(from: tensors[5]).descr == "<c16")
    for tensor in tensors {
      #expect(try TensorFiles.tensor(from: TensorFiles.npy(from: tensor)) == tensor)
    }
    let strings = try TensorFiles.npy(from: Tensor(strings: ["a", "", "xyz"], shape: [3]))
    #expect(strings.descr == "|S3")
    let half = try TensorFiles.npy(from: Tensor(bfloat16: [1.5, -2], shape: [2]))
    #expect(half.descr == "<f4")
    #expect(try TensorFiles.tensor(from: half) == Tensor(float32: [1.5, -2], shape: [2]))
  }

  @Test("unicode arrays become UTF-8 strings without their trailing NULs")
  func unicodeArray() throws {
    var data: [UInt8] = []
    for scalar in ["é", "x", "\0", "ß", "\0", "\0"].map({ $0.unicodeScalars.first!.value }) {
      data += [UInt8(scalar & 0xFF), UInt8(scalar >> 8 & 0xFF), 0, 0]
    }
    let array = try NPYArray(descr: "<U3", shape: [2], data: data)
    #expect(try TensorFiles.tensor(from: array) == Tensor(strings: ["éx", "ß"], shape: [2]))
  }

  @Test("a .npy dtype with no tensor dtype is invalid_argument, naming the dtype and carrying the file")
  func npyUnknownDtype() throws {
    let array = try NPYArray(descr: ">f4", shape: [1], data: [0, 0, 0, 0])
    let error = try #require(throws: TensorIOError.self) { try TensorFiles.tensor(from: array, file: "x.npy") }
    #expect(error.category == .invalidArgument)
    #expect(error.message == "unsupported .npy dtype '>f4'")
    #expect(error.file == "x.npy")
  }

  @Test(
    "zero-width string arrays too many to hold as strings are resource_exhausted, not 16 GB of string headers",
    arguments: ["|S0", "<U0"])
  func tooManyStrings(descr: String) throws {
    let count = Int(Limits.current.tensorElements)
    let array = try NPYArray(descr: descr, shape: [count], data: [])
    let error = try #require(throws: TensorIOError.self) { try TensorFiles.tensor(from: array, file: "x.npy") }
    #expect(error.category == .resourceExhausted)
    #expect(error.message.contains("TENSOR_BYTES"), "\(error.message)")
    #expect(error.file == "x.npy")
  }

  @Test("nested JSON arrays give the shape; numbers are cast to the dtype asked for")
  func jsonTensors() throws {
    let value = try JSONSerialization.jsonObject(with: Data("[[1, 2, 3], [4, 5, 6]]".utf8))
    #expect(
      try JSONTensor.tensor(from: value, dtype: .int32, file: "x.json")
        == Tensor(int32: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
    #expect(try JSONTensor.tensor(from: 2.5, dtype: .float32, file: "x.json") == Tensor(float32: [2.5], shape: []))
    #expect(
      try JSONTensor.tensor(from: ["a", "b"], dtype: .string, file: "x.json")
        == Tensor(strings: ["a", "b"], shape: [2]))
    #expect(try JSONTensor.tensor(from: [true], dtype: .bool, file: "x.json") == Tensor(bool: [true], shape: [1]))
  }

  @Test(
    "malformed JSON values are invalid_argument, naming and carrying the file",
    arguments: [
      (#"[[1, 2], [3]]"#, DType.float32, "x.json: the JSON array is not rectangular"),
      (#"["a", 1]"#, DType.string, "x.json: expected strings"),
      (#"[1, "a"]"#, DType.int64, "x.json: expected numbers for a int64 input"),
      (#"[true, "yes"]"#, DType.bool, "x.json: expected booleans"),
    ])
  func jsonFailures(text: String, dtype: DType, message: String) throws {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    let error = try #require(throws: TensorIOError.self) {
      try JSONTensor.tensor(from: value, dtype: dtype, file: "x.json")
    }
    #expect(error.category == .invalidArgument)
    #expect(error.message == message)
    #expect(error.file == "x.json")
  }
}
