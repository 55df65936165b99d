import Foundation
import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// The complex and FFT ops where the TensorFlow vectors cannot go: lengths checked against a
/// direct DFT, cases where TensorFlow aborts or returns uninitialised memory, refusals, sizes.
@Suite("complex numbers and FFTs: edges and refusals")
struct SignalOpTests {
  typealias H = GraphHarness

  static func complex128(_ values: [(Double, Double)], _ shape: [Int]) -> Tensor {
    Tensor(complex128: values.map { Complex128($0.0, $0.1) }, shape: shape)
  }

  static func lengths(_ values: [Int32]) -> Tensor { Tensor(int32: values, shape: [values.count]) }

  static let c64 = ["Tcomplex": H.attribute(.dtComplex64)]

  /// A deterministic, irregular signal.
  static func signal(_ n: Int) -> [(Double, Double)] {
    (0..<n).map { k -> (Double, Double) in
      let t = Double(k)
      let real: Double = sin(t * 0.7) + Double(k % 5) * 0.1
      return (real, cos(t * t * 0.3))
    }
  }

  /// The DFT by its definition, in `Double`.
  static func directDFT(_ x: [(Double, Double)], inverse: Bool) -> [(Double, Double)] {
    let n = x.count
    return (0..<n).map { k in
      var (re, im) = (0.0, 0.0)
      for (j, value) in x.enumerated() {
        let angle = (inverse ? 2 : -2) * Double.pi * Double((j * k) % n) / Double(n)
        re += value.0 * cos(angle) - value.1 * sin(angle)
        im += value.0 * sin(angle) + value.1 * cos(angle)
      }
      return inverse ? (re / Double(n), im / Double(n)) : (re, im)
    }
  }

  @Test(
    "FFT and IFFT of mixed-radix, prime (direct and Bluestein) and power-of-two lengths equal the direct DFT",
    arguments: [1, 2, 7, 61, 67, 210, 256, 1009, 1024])
  func againstDirectDFT(n: Int) throws {
    let x = Self.signal(n)
    for inverse in [false, true] {
      let output = try H.run(inverse ? "IFFT" : "FFT", [Self.complex128(x, [n])], [:])[0]
      let expected = Self.directDFT(x, inverse: inverse)
      let values = try output.complex128s()
      let scale = expected.map { max(abs($0.0), abs($0.1)) }.max() ?? 1
      let worst = zip(values, expected).map { max(abs($0.real - $1.0), abs($0.imag - $1.1)) }.max() ?? 0
      // The direct sum itself carries n·ε of rounding; the transform is far inside that.
      #expect(worst <= 1e-12 * Double(n) * max(1, scale), "n \(n) inverse \(inverse): \(worst)")
    }
  }

  @Test("RFFT then IRFFT gives the signal back, for even and odd lengths, in 1, 2 and 3 dimensions")
  func roundTrips() throws {
    for shape in [[5, 12], [3, 17], [2, 6, 9], [2, 3, 4, 5]] {
      let rank = min(shape.count - 1, 3)
      let count = shape.reduce(1, *)
      let values = (0..<count).map { Float(sin(Double($0) * 1.3)) }
      let x = Tensor(float32: values, shape: shape)
      let suffix = rank == 1 ? "" : "\(rank)D"
      let fftLength = Self.lengths(shape.suffix(rank).map { Int32($0) })
      let spectrum = try H.run("RFFT" + suffix, [x, fftLength], Self.c64)[0]
      #expect(spectrum.dtype == .complex64)
      #expect(spectrum.shape.last == shape.last! / 2 + 1)
      let back = try H.run("IRFFT" + suffix, [spectrum, fftLength], Self.c64)[0]
      #expect(back.shape == shape)
      let worst = zip(try back.floats(), values).map { abs($0 - $1) }.max() ?? 0
      #expect(worst < 1e-5, "\(shape): \(worst)")
    }
  }

  @Test("empty tensors transform to empty tensors; an empty line with fft_length > 0 is refused")
  func emptyTensors() throws {
    let empty = Tensor(complex64: [], shape: [0, 8])
    let out = try H.run("FFT", [empty], Self.c64)[0]
    #expect(out.shape == [0, 8] && out.dtype == .complex64)
    #expect(try H.run("IFFT2D", [Tensor(complex64: [], shape: [3, 0, 4])], Self.c64)[0].shape == [3, 0, 4])
    #expect(try H.run("RFFT", [Tensor(float32: [], shape: [0, 5]), Self.lengths([5])])[0].shape == [0, 3])
    // TensorFlow skips its length check for an empty input and returns uninitialised memory.
    let garbage = H.failure("RFFT", [Tensor(float32: [], shape: [2, 0]), Self.lengths([4])])
    #expect(garbage?.category == .invalidArgument)
    #expect(garbage?.message.contains("must have length of at least 4") == true, "\(garbage?.message ?? "")")
  }

  @Test("fft_length 0 (TensorFlow aborts), negative, huge, or of the wrong rank is refused")
  func badLengths() throws {
    let x = Tensor(float32: [1, 2, 3, 4], shape: [1, 4])
    let zero = H.failure("RFFT", [x, Self.lengths([0])])
    #expect(zero?.category == .invalidArgument)
    #expect(zero?.message.contains("fft_length[0] is 0") == true, "\(zero?.message ?? "")")
    let spectrum = Tensor(complex64: [Complex64(1, 0), Complex64(2, 0)], shape: [1, 2])
    #expect(H.failure("IRFFT", [spectrum, Self.lengths([0])])?.message.contains("fft_length[0] is 0") == true)
    #expect(H.failure("RFFT", [x, Self.lengths([-3])])?.message.contains("must >= 0") == true)
    let huge = H.failure("IRFFT", [spectrum, Self.lengths([Int32.max])])
    #expect(huge?.message.contains("must have length of at least 1073741824") == true, "\(huge?.message ?? "")")
    #expect(H.failure("RFFT2D", [x, Self.lengths([4])])?.message.contains("vector of 2") == true)
    #expect(
      H.failure("FFT3D", [Tensor(complex64: [Complex64(1, 1)], shape: [1, 1])])?.message.contains("rank of at least 3")
        == true)
  }

  @Test("real inputs to complex ops, complex inputs to real ops, and mismatched type attributes are refused")
  func dtypeRefusals() throws {
    let real = Tensor(float32: [1, 2], shape: [2])
    let z = Tensor(complex64: [Complex64(1, 2), Complex64(-3, 0.5)], shape: [2])
    for op in ["Real", "Imag", "ComplexAbs", "Angle"] {
      #expect(H.failure(op, [real])?.message.contains("not a complex dtype") == true, "\(op)")
    }
    #expect(H.failure("Conj", [real]) != nil)
    #expect(H.failure("FFT", [real]) != nil)
    #expect(H.failure("Real", [z], ["Tout": H.attribute(.dtDouble)])?.message.contains("Tout is float64") == true)
    #expect(H.failure("Complex", [real, Tensor(float64: [1, 2], shape: [2])]) != nil)
    let wide = Tensor(float64: [1, 2], shape: [2])
    #expect(try H.run("Complex", [wide, wide])[0].complex128s() == [Complex128(1, 1), Complex128(2, 2)])
    #expect(H.failure("Complex", [real, real], ["Tout": H.attribute(.dtComplex128)]) != nil)
    #expect(
      H.failure("RFFT", [real.reshapedOrSelf([1, 2]), Self.lengths([2])], ["Tcomplex": H.attribute(.dtComplex128)])?
        .message.contains("do not pair") == true)
    // Ops with no complex kernel say so by name instead of crashing.
    let square = Tensor(complex64: [Complex64](repeating: Complex64(1, 1), count: 4), shape: [2, 2])
    #expect(H.failure("MatMul", [square, square])?.message.contains("complex64") == true)
    #expect(H.failure("Max", [z, Tensor(int32: [0], shape: [1])])?.message.contains("complex64") == true)
    #expect(H.failure("Floor", [z])?.message.contains("complex64") == true)
    #expect(H.failure("Maximum", [z, z])?.message.contains("complex64") == true)
    #expect(H.failure("Less", [z, z])?.message.contains("complex64") == true)
    #expect(H.failure("Cos", [z])?.message.contains("complex64") == true)
  }

  @Test("ops that only move elements carry complex64 as they carry any 8-byte dtype")
  func movement() throws {
    let values = (0..<6).map { Complex64(Float($0), -Float($0) - 0.5) }
    let z = Tensor(complex64: values, shape: [2, 3])
    let transposed = try H.run("Transpose", [z, Tensor(int32: [1, 0], shape: [2])])[0]
    #expect(try transposed.complex64s() == [0, 3, 1, 4, 2, 5].map { values[$0] })
    let joined = try H.run("ConcatV2", [z, z, Tensor(int32: [1], shape: [])])[0]
    #expect(joined.shape == [2, 6])
    #expect(try joined.complex64s()[3] == values[0])
    let padded = try H.run("Pad", [z, Tensor(int32: [0, 0, 1, 1], shape: [2, 2])])[0]
    #expect(
      try padded.complex64s() == [Complex64(0, 0), values[0], values[1], values[2], Complex64(0, 0)]
        + [Complex64(0, 0), values[3], values[4], values[5], Complex64(0, 0)])
    let gathered = try H.run("GatherV2", [z, Tensor(int32: [2, 0], shape: [2]), Tensor(int32: [1], shape: [])])[0]
    #expect(try gathered.complex64s() == [values[2], values[0], values[5], values[3]])
    let sliced = try H.run(
      "StridedSlice",
      [z, Tensor(int32: [0, 1], shape: [2]), Tensor(int32: [2, 3], shape: [2]), Tensor(int32: [1, 1], shape: [2])])[0]
    #expect(try sliced.complex64s() == [values[1], values[2], values[4], values[5]])
    let adjoint = try H.run("ConjugateTranspose", [z, Tensor(int32: [1, 0], shape: [2])])[0]
    #expect(try adjoint.complex64s() == [0, 3, 1, 4, 2, 5].map { Complex64(values[$0].real, -values[$0].imag) })
    let ones = try H.run("OnesLike", [z])[0]
    #expect(try ones.complex64s() == [Complex64](repeating: Complex64(1, 0), count: 6))
    let tiled = try H.run("Tile", [z, Tensor(int32: [1, 2], shape: [2])])[0]
    #expect(tiled.shape == [2, 6])
    let filled = try H.run("Fill", [Tensor(int32: [3], shape: [1]), Tensor(complex64: [Complex64(2, -1)], shape: [])])[
      0]
    #expect(try filled.complex64s() == [Complex64](repeating: Complex64(2, -1), count: 3))
  }

  @Test("Const decodes scomplex_val and dcomplex_val pairs, repeating the last pair, and tensor_content")
  func constants() throws {
    var proto = Tensorflow_TensorProto()
    proto.dtype = .dtComplex64
    var dim = Tensorflow_TensorShapeProto.Dim()
    dim.size = 3
    proto.tensorShape.dim = [dim]
    proto.scomplexVal = [1, 2, -3, 0.5]
    let decoded = try TensorProtoDecoding.tensor(proto, context: "test")
    #expect(try decoded.complex64s() == [Complex64(1, 2), Complex64(-3, 0.5), Complex64(-3, 0.5)])
    proto.scomplexVal = []
    #expect(
      try TensorProtoDecoding.tensor(proto, context: "test").complex64s()
        == [Complex64](
          repeating: Complex64(0, 0), count: 3))
    proto.dtype = .dtComplex128
    proto.dcomplexVal = [0.25, -1]
    #expect(
      try TensorProtoDecoding.tensor(proto, context: "test").complex128s()
        == [Complex128](
          repeating: Complex128(0.25, -1), count: 3))
    proto.dcomplexVal = []
    proto.dtype = .dtComplex64
    proto.tensorContent = Data(
      try Tensor(complex64: [Complex64(1, -1), Complex64(2, 3), Complex64(0, 9)], shape: [3])
        .rawBytes())
    #expect(try TensorProtoDecoding.tensor(proto, context: "test").complex64s()[2] == Complex64(0, 9))
  }

  @Test("complex64 bytes are TensorFlow's: float32 real then imaginary, little-endian")
  func layout() throws {
    let z = Tensor(complex64: [Complex64(1, -2)], shape: [1])
    #expect(try z.rawBytes() == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
    #expect(DType.complex64.elementSize == 8 && DType.complex128.elementSize == 16)
    #expect(try Tensor(raw: z.rawBytes(), dtype: .complex64, shape: [1]) == z)
  }

  @Test("a broadcast Complex past the element limit is refused before it is allocated")
  func hostileBroadcast() throws {
    let column = Tensor(float32: [Float](repeating: 1, count: 100_000), shape: [100_000, 1])
    let row = Tensor(float32: [Float](repeating: 1, count: 100_000), shape: [1, 100_000])
    let error = H.failure("Complex", [column, row])
    #expect(error?.category == .resourceExhausted, "\(error?.message ?? "no error")")
  }
}

extension Tensor {
  fileprivate func reshapedOrSelf(_ shape: [Int]) -> Tensor { (try? reshaped(to: shape)) ?? self }
}

/// Every registered op fed complex64 tensors: each runs or refuses with an `InferenceError`; none
/// reads a complex buffer as another type (which would stop the process).
@Suite("no op crashes on complex inputs")
struct ComplexInputSweepTests {
  @Test("every op, one to three complex64 inputs of a few shapes")
  func sweep() {
    let shapes = [[3], [2, 2], []]
    var ran = 0
    for op in OpCoverage.supported.map(\.name) {
      // Control flow and function calls need function attributes; variables need resources.
      if ["While", "StatelessWhile", "If", "StatelessIf", "Case", "StatelessCase"].contains(op) { continue }
      for shape in shapes {
        let count = shape.reduce(1, *)
        let z = Tensor(
          complex64: (0..<count).map { Complex64(Float($0) + 0.5, -Float($0)) }, shape: shape)
        for arity in 1...3 {
          let inputs = [Tensor](repeating: z, count: arity)
          if GraphHarness.failure(op, inputs) == nil { ran += 1 }
        }
      }
    }
    #expect(ran > 50)
  }
}
