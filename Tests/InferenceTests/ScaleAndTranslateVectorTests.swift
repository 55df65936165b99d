import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// `ScaleAndTranslate` against TensorFlow 2.21: every case in `Vectors/scale_and_translate.json`
/// (written by `Scripts/make-op-vectors.py`: each of the eight kernels with and without
/// antialiasing over downsamples, upsamples and translations that move samples off the image,
/// nine input dtypes, NaN and infinities in the image, the scale and the translation, and
/// TensorFlow's refusals) runs through the graph layer
/// and must give TensorFlow's float32 output bit for bit (a NaN as any NaN), or its error.
@Suite("ScaleAndTranslate against TensorFlow")
struct ScaleAndTranslateVectorTests {
  typealias H = GraphHarness

  struct Case: Decodable {
    let dtype: String
    let shape: [Int]
    let input: [String]
    let size: [Int]
    let scale: [String]
    let translation: [String]
    let kernelType: String
    let antialias: Bool
    let outputShape: [Int]?
    let output: [String]?
    let error: String?
  }

  /// The vectors, read once for every test here.
  static let file = OpVectorFile<Case>.load("scale_and_translate.json")

  /// The input tensor, from TensorFlow's bits (floats) or decimal values (integers).
  static func image(_ testCase: Case) -> Tensor {
    let shape = testCase.shape
    let values = testCase.input
    switch testCase.dtype {
    case "float32": return Tensor(float32: values.map { Float(bitPattern: UInt32($0)!) }, shape: shape)
    case "float64": return Tensor(float64: values.map { Double(bitPattern: UInt64($0)!) }, shape: shape)
    case "float16": return Tensor(float16: values.map { HalfPrecision.float(halfBits: UInt16($0)!) }, shape: shape)
    case "bfloat16":
      return Tensor(bfloat16: values.map { HalfPrecision.float(bfloat16Bits: UInt16($0)!) }, shape: shape)
    case "uint8": return Tensor(uint8: values.map { UInt8($0)! }, shape: shape)
    case "int8": return Tensor(int8: values.map { Int8($0)! }, shape: shape)
    case "uint16": return Tensor(uint16: values.map { UInt16($0)! }, shape: shape)
    case "int32": return Tensor(int32: values.map { Int32($0)! }, shape: shape)
    default: return Tensor(int64: values.map { Int64($0)! }, shape: shape)
    }
  }

  static func floats(_ bits: [String]) -> Tensor {
    Tensor(float32: bits.map { Float(bitPattern: UInt32($0)!) }, shape: [bits.count])
  }

  @Test("every kernel, antialiased or not, every input dtype, NaN and Inf: TensorFlow's bits or its error")
  func vectors() throws {
    let file = try #require(Self.file, "Vectors/scale_and_translate.json is missing or unreadable")
    #expect(file.tensorflow.hasPrefix("2.21"))
    #expect(file.cases.count == 134)
    #expect(Set(file.cases.map(\.kernelType)).isSuperset(of: ScaleAndTranslate.Kernel.allCases.map(\.rawValue)))
    var mismatches = 0
    for testCase in file.cases {
      let inputs = [
        Self.image(testCase), Tensor(int32: testCase.size.map { Int32($0) }, shape: [2]),
        Self.floats(testCase.scale), Self.floats(testCase.translation),
      ]
      let attributes = ["kernel_type": H.attribute(testCase.kernelType), "antialias": H.attribute(testCase.antialias)]
      let label =
        "\(testCase.kernelType) antialias=\(testCase.antialias) \(testCase.dtype) \(testCase.shape) → \(testCase.size)"
      if let error = testCase.error {
        let failure = H.failure("ScaleAndTranslate", inputs, attributes)
        #expect(failure?.category == .invalidArgument, "\(label)")
        #expect(failure?.message.contains(error) == true, "\(label): \(failure?.message ?? "no error"), not \(error)")
        continue
      }
      let output = try H.run("ScaleAndTranslate", inputs, attributes)[0]
      #expect(output.dtype == .float32)
      #expect(output.shape == testCase.outputShape, "\(label)")
      // Bit for bit, except a NaN's sign and payload: which NaN operand an x86 add passes on
      // depends on the operand order the compiler picks, in TensorFlow's build as in ours.
      let values = try output.floats()
      let expected = (testCase.output ?? []).map { Float(bitPattern: UInt32($0)!) }
      #expect(values.count == expected.count, "\(label)")
      if let first = zip(values, expected).enumerated().first(where: { _, pair in
        pair.0.bitPattern != pair.1.bitPattern && !(pair.0.isNaN && pair.1.isNaN)
      }) {
        mismatches += 1
        Issue.record("\(label): element \(first.offset) is \(first.element.0), TensorFlow's \(first.element.1)")
      }
    }
    #expect(mismatches == 0)
  }

  @Test("hostile geometry the vectors cannot hold: a span TensorFlow aborts on, a huge size, a bad scale vector")
  func hostile() throws {
    let image = Tensor(float32: [Float](repeating: 1, count: 12), shape: [1, 3, 4, 1])
    let attributes = ["kernel_type": H.attribute("lanczos3"), "antialias": H.attribute(true)]
    func failure(_ size: [Int32], _ scale: [Float], _ translation: [Float]) -> InferenceError? {
      H.failure(
        "ScaleAndTranslate",
        [
          image, Tensor(int32: size, shape: [2]), Tensor(float32: scale, shape: [scale.count]),
          Tensor(float32: translation, shape: [2]),
        ], attributes)
    }
    // A filter reaching 2^30 to 2^31 pixels each side: TensorFlow's int span size goes negative
    // and it aborts on a failed check; here it is refused.
    let negative = failure([2, 2], [2e-9, 2e-9], [0, 0])
    #expect(negative?.message.contains("is too large") == true, "\(negative?.message ?? "no error")")
    // A size whose output would pass the tensor limit is refused before anything is allocated.
    let huge = failure([Int32.max, Int32.max], [1, 1], [0, 0])
    #expect(huge?.category == .resourceExhausted, "\(huge?.message ?? "no error")")
    #expect(failure([2, 2], [1, 1, 1], [0, 0])?.message.contains("t must have two elements") == true)
  }
}
