import Foundation
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// The complex and FFT ops against TensorFlow 2.21: every case in `Vectors/signal_ops.json`
/// (written by `Scripts/make-op-vectors.py`) runs through the graph layer.
///
/// How results compare:
/// - `Complex`, `Real`, `Imag`, `Conj`, `Cast`, `Add`, `Sub`, `Neg`, `Mul`, `Square`, `Equal`,
///   `NotEqual`: bit for bit (a NaN as any NaN).
/// - The FFT family: TensorFlow transforms in float32 (DUCC), we in float64 rounded once, so the
///   difference is TensorFlow's own rounding error, which grows like `ε·log2(n)` times the size
///   of the values summed. Each element must be within `4e-7 · log2(N) · max(1, M)` (N the points
///   transformed, at least 2; M the largest magnitude among inputs and outputs): `4e-7` is about
///   3.4 float32 ulps, so the bound is a few ulps per butterfly level. Where TensorFlow's element
///   is NaN ours must be NaN, where it is infinite ours must be the same infinity.
/// - The other arithmetic (division, `Exp`, `Sqrt`, `Log`, reductions, `ComplexAbs`, `Angle`):
///   within 4 ulps of the element's larger part (complex rounding is relative to the magnitude).
@Suite("Complex and FFT ops against TensorFlow")
struct SignalOpVectorTests {
  typealias H = GraphHarness

  struct TensorJSON: Decodable {
    let dtype: String
    let shape: [Int]
    let bits: [String]
  }

  struct Case: Decodable {
    let op: String
    let inputs: [TensorJSON]
    let attrs: [String: String]
    let output: TensorJSON?
    let error: String?
  }

  static let file = OpVectorFile<Case>.load("signal_ops.json")

  static let exactOps: Set<String> = [
    "Complex", "Real", "Imag", "Conj", "Cast", "Add", "AddV2", "Sub", "Neg", "Mul", "Square", "Equal", "NotEqual",
  ]

  static func dtype(_ name: String) -> DType? {
    DType.allCases.first { $0.description == name || ($0 == .float16 && name == "float16") }
  }

  static func tensor(_ json: TensorJSON) -> Tensor {
    let b = json.bits
    let shape = json.shape
    switch json.dtype {
    case "float32": return Tensor(float32: b.map { Float(bitPattern: UInt32($0)!) }, shape: shape)
    case "float64": return Tensor(float64: b.map { Double(bitPattern: UInt64($0)!) }, shape: shape)
    case "float16": return Tensor(float16: b.map { HalfPrecision.float(halfBits: UInt16($0)!) }, shape: shape)
    case "complex64":
      let parts = b.map { Float(bitPattern: UInt32($0)!) }
      return Tensor(
        complex64: stride(from: 0, to: parts.count, by: 2).map { Complex64(parts[$0], parts[$0 + 1]) }, shape: shape)
    case "complex128":
      let parts = b.map { Double(bitPattern: UInt64($0)!) }
      return Tensor(
        complex128: stride(from: 0, to: parts.count, by: 2).map { Complex128(parts[$0], parts[$0 + 1]) }, shape: shape)
    case "int32": return Tensor(int32: b.map { Int32($0)! }, shape: shape)
    case "int64": return Tensor(int64: b.map { Int64($0)! }, shape: shape)
    case "uint8": return Tensor(uint8: b.map { UInt8($0)! }, shape: shape)
    case "bool": return Tensor(bool: b.map { $0 == "1" || $0 == "True" }, shape: shape)
    default: preconditionFailure("dtype \(json.dtype) in the vectors")
    }
  }

  /// The elements as `Double`s, complex values as their parts in order, for comparison.
  static func values(_ tensor: Tensor) throws -> [Double] {
    switch tensor.dtype {
    case .complex64: return try tensor.complex64s().flatMap { [Double($0.real), Double($0.imag)] }
    case .complex128: return try tensor.complex128s().flatMap { [$0.real, $0.imag] }
    case .float32, .float16: return try tensor.floats().map(Double.init)
    case .bool: return try tensor.bools().map { $0 ? 1 : 0 }
    default: return try Cast.apply(tensor, to: .float64).doubles()
    }
  }

  static func attributes(_ attrs: [String: String]) -> [String: Tensorflow_AttrValue] {
    attrs.mapValues { name in
      let dtype = dtype(name)!
      return H.attribute(Tensorflow_DataType(rawValue: dtype.rawValue)!)
    }
  }

  /// The points one transform of the case sums over, for the tolerance.
  static func points(_ testCase: Case, _ output: Tensor) -> Int {
    let rank = testCase.op.hasSuffix("3D") ? 3 : testCase.op.hasSuffix("2D") ? 2 : 1
    if testCase.op.hasPrefix("RFFT") || testCase.op.hasPrefix("IRFFT") {
      let lengths = testCase.inputs[1].bits.compactMap { Int($0) }
      return lengths.reduce(1, *)
    }
    return output.shape.suffix(rank).reduce(1, *)
  }

  @Test("every complex and FFT case: TensorFlow's bits, within the FFT tolerance, or its error")
  func vectors() throws {
    let file = try #require(Self.file, "Vectors/signal_ops.json is missing or unreadable")
    #expect(file.tensorflow.hasPrefix("2.21"))
    #expect(file.cases.count == 222)
    var worstFFT = 0.0
    var worstOther = 0.0
    var failures = 0
    for (index, testCase) in file.cases.enumerated() {
      let inputs = testCase.inputs.map(Self.tensor)
      let label = "case \(index): \(testCase.op) \(testCase.inputs.map { "\($0.dtype)\($0.shape)" })"
      if let error = testCase.error {
        let failure = H.failure(testCase.op, inputs, Self.attributes(testCase.attrs))
        #expect(failure != nil, "\(label): TensorFlow fails with \(error)")
        if testCase.op.contains("FFT") {
          #expect(failure?.message.contains(error) == true, "\(label): \(failure?.message ?? "no error"), not \(error)")
        }
        continue
      }
      let expectedJSON = try #require(testCase.output)
      let expected = Self.tensor(expectedJSON)
      let output: Tensor
      do {
        output = try H.run(testCase.op, inputs, Self.attributes(testCase.attrs))[0]
      } catch {
        Issue.record("\(label): \(error)")
        failures += 1
        continue
      }
      #expect(output.dtype == expected.dtype, "\(label)")
      #expect(output.shape == expected.shape, "\(label)")
      guard output.dtype == expected.dtype, output.shape == expected.shape else { continue }
      let (ours, theirs) = (try Self.values(output), try Self.values(expected))
      let isFFT = testCase.op.contains("FFT")
      let exact = Self.exactOps.contains(testCase.op)
      let magnitude =
        try inputs.filter { $0.dtype.isComplex || $0.dtype.isFloatingPoint }.flatMap(Self.values)
        .filter(\.isFinite).map(Swift.abs).max() ?? 0
      let scale = max(1, magnitude, theirs.filter(\.isFinite).map(Swift.abs).max() ?? 0)
      let fftTolerance = 4e-7 * max(1, log2(Double(max(Self.points(testCase, output), 2)))) * scale
      let ulp = output.dtype == .complex128 || output.dtype == .float64 ? 0x1p-52 : 0x1p-23
      var mismatch: String?
      for i in theirs.indices {
        let (a, b) = (ours[i], theirs[i])
        if b.isNaN {
          if !a.isNaN { mismatch = "element \(i) is \(a), TensorFlow's NaN" }
        } else if b.isInfinite || exact {
          if a != b && !(exact && a.isNaN && b.isNaN) { mismatch = "element \(i) is \(a), TensorFlow's \(b)" }
        } else if isFFT {
          let difference = Swift.abs(a - b)
          if !(difference <= fftTolerance) { mismatch = "element \(i) is \(a), TensorFlow's \(b)" }
          worstFFT = max(worstFFT, difference / scale)
        } else {
          // Relative to the larger part of the complex element (both parts of a real one).
          let pair = output.dtype.isComplex ? (i / 2) * 2 : i
          let size = max(
            Swift.abs(theirs[pair]), Swift.abs(theirs[min(pair + 1, theirs.count - 1)]), Double.leastNormalMagnitude)
          let difference = Swift.abs(a - b)
          if !(difference <= 4 * ulp * size) { mismatch = "element \(i) is \(a), TensorFlow's \(b)" }
          worstOther = max(worstOther, difference / (ulp * size))
        }
        if mismatch != nil { break }
      }
      if let mismatch {
        failures += 1
        Issue.record("\(label): \(mismatch)")
      }
    }
    #expect(failures == 0)
    // Recorded for the docs: the largest FFT difference relative to the scale, and the largest
    // difference of the other rounded ops in ulps.
    print("SignalOpVectorTests: largest FFT |Δ|/scale \(worstFFT), largest other |Δ| \(worstOther) ulps")
  }
}
