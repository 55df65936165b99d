import Foundation
import Inference
import NumPyFormat
import RegistryTestSupport
import TensorIO
import TensorKernels
import Testing

/// Runs fixtures through the inference core and compares with the outputs TensorFlow 2.21 wrote
/// (`Fixtures/<name>/reference/`). Tolerance for float32 (and each part of a complex64): relative
/// 1e-4 and absolute 1e-5.
@Suite("inference matches TensorFlow on the fixtures")
struct ConformanceTests {
  static let root = Repository.Fixtures.root

  /// The fixtures whose every op the core supports today.
  static let supported = ConformanceSupport.supportedFixtures

  @Test("every signature's outputs match TensorFlow's", arguments: supported)
  func fixture(name: String) throws {
    let model = try LoadedModel(directory: Self.root.appendingPathComponent("\(name)/model"))
    let inputsRoot = Self.root.appendingPathComponent("\(name)/reference/inputs")
    let signatures = try FileManager.default.contentsOfDirectory(atPath: inputsRoot.path).sorted()
    #expect(!signatures.isEmpty)
    for signature in signatures {
      var inputs: [String: Tensor] = [:]
      for file in try FileManager.default.contentsOfDirectory(atPath: inputsRoot.appendingPathComponent(signature).path)
      {
        let array = try NPYArray(contentsOf: inputsRoot.appendingPathComponent("\(signature)/\(file)"))
        inputs[String(file.dropLast(4))] = try TensorFiles.tensor(from: array)
      }
      let outputs = try model.run(signature: signature, inputs: inputs)
      let expectedRoot = Self.root.appendingPathComponent("\(name)/reference/outputs/\(signature)")
      let expectedFiles = try FileManager.default.contentsOfDirectory(atPath: expectedRoot.path)
      #expect(Set(outputs.keys) == Set(expectedFiles.map { String($0.dropLast(4)) }), "\(name) \(signature)")
      for file in expectedFiles {
        let key = String(file.dropLast(4))
        let expected = try TensorFiles.tensor(from: try NPYArray(contentsOf: expectedRoot.appendingPathComponent(file)))
        let actual = try #require(outputs[key])
        try ConformanceSupport.expectClose(actual, expected, "\(name) \(signature) \(key)")
      }
    }
  }
}

enum ConformanceSupport {
  static let supportedFixtures = [
    "attention", "bidirectional_masked", "einsum_cumsum_module", "example_classifier", "finetune_base", "finetune_head",
    "gru", "keras2_mlp",
    "keras3_cnn_bn", "lstm", "mobilenet_v2", "module_two_signatures", "op_families", "sharded_slices", "sharded_vars",
    "random_text_ops", "simple_rnn_sequences",
    "string_lookup",
    "string_ops", "text_vectorization", "text_vectorization_bags", "tf1_builder", "transformer_encoder", "volumetric",
    "audio_frontend",
  ]

  static func expectClose(
    _ actual: Tensor, _ expected: Tensor, _ context: String, relative: Double = 1e-4, absolute: Double = 1e-5
  ) throws {
    #expect(actual.shape == expected.shape, "\(context): shape")
    #expect(actual.dtype == expected.dtype, "\(context): dtype")
    guard actual.shape == expected.shape, actual.dtype == expected.dtype else { return }
    if actual.dtype.isFloatingPoint || actual.dtype.isComplex {
      // Complex values compare part by part, with the same tolerance.
      func parts(_ tensor: Tensor) throws -> [Double] {
        guard tensor.dtype.isComplex else { return try Cast.apply(tensor, to: .float64).doubles() }
        return try Cast.apply(tensor, to: .complex128).complex128s().flatMap { [$0.real, $0.imag] }
      }
      let a = try parts(actual)
      let b = try parts(expected)
      var worst = 0.0
      for (x, y) in zip(a, b) where !(x.isNaN && y.isNaN) && x != y {
        let difference = x.isNaN || y.isNaN ? .infinity : abs(x - y)
        if difference > absolute + relative * abs(Double(y)) { worst = max(worst, difference) }
      }
      #expect(worst == 0, "\(context): max out-of-tolerance difference \(worst)")
    } else {
      #expect(actual == expected, "\(context)")
    }
  }
}
