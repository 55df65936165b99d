import TensorKernels

/// Complex numbers and the FFT family, what `tf.signal` (stft, inverse_stft, mfccs, dct) and
/// `tf.complex`/`tf.math.real`/`imag`/`abs`/`angle`/`conj` write. Kernels in
/// `TensorKernels/ComplexParts.swift` and `FFT.swift`.
enum SignalOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("Complex") { context throws(InferenceError) in
      let (real, imag) = (try context.tensor(0), try context.tensor(1))
      // Without `Tout` (TensorFlow always writes it), the parts' precision decides.
      let output = try context.dtype("Tout", default: real.dtype == .float64 ? .complex128 : .complex64)
      return [.tensor(try context.run { try ComplexParts.make(real: real, imag: imag, output: output) })]
    }
    let parts: [(String, @Sendable (Tensor) throws(TensorError) -> Tensor)] = [
      ("Real", ComplexParts.real), ("Imag", ComplexParts.imag), ("ComplexAbs", ComplexParts.abs),
      ("Angle", ComplexParts.angle),
    ]
    for (name, kernel) in parts {
      registry.register(name) { context throws(InferenceError) in
        let x = try context.tensor(0)
        guard let part = x.dtype.complexPartType else {
          throw InferenceError(.invalidArgument, "\(context.location): \(x.dtype) is not a complex dtype")
        }
        let output = try context.dtype("Tout", default: part)
        guard output == part else {
          throw InferenceError(
            .invalidArgument, "\(context.location): Tout is \(output), but the parts of \(x.dtype) are \(part)")
        }
        return [.tensor(try context.run { try kernel(x) })]
      }
    }
    registry.register("Conj") { context throws(InferenceError) in
      let x = try context.tensor(0)
      return [.tensor(try context.run { try ComplexParts.conj(x) })]
    }
    for (rank, suffix) in [(1, ""), (2, "2D"), (3, "3D")] {
      for inverse in [false, true] {
        let name = (inverse ? "IFFT" : "FFT") + suffix
        registry.register(name) { context throws(InferenceError) in
          let x = try context.tensor(0)
          try checkDType(x.dtype, attribute: "Tcomplex", context)
          return [.tensor(try context.run { try FFT.complex(x, rank: rank, inverse: inverse, op: name) })]
        }
      }
      registry.register("RFFT" + suffix) { context throws(InferenceError) in
        let x = try context.tensor(0)
        try checkDType(x.dtype, attribute: "Treal", context)
        let lengths = try fftLengths(rank, context)
        let output = try context.dtype("Tcomplex", default: .complex64)
        try checkPair(real: x.dtype, complex: output, context)
        return [.tensor(try context.run { try FFT.real(x, lengths: lengths, output: output, op: "RFFT" + suffix) })]
      }
      registry.register("IRFFT" + suffix) { context throws(InferenceError) in
        let x = try context.tensor(0)
        try checkDType(x.dtype, attribute: "Tcomplex", context)
        let lengths = try fftLengths(rank, context)
        let output = try context.dtype("Treal", default: .float32)
        try checkPair(real: output, complex: x.dtype, context)
        return [
          .tensor(
            try context.run { try FFT.inverseReal(x, lengths: lengths, output: output, op: "IRFFT" + suffix) })
        ]
      }
    }
  }

  /// The input's dtype against the op's type attribute, when the node carries it.
  private static func checkDType(_ dtype: DType, attribute: String, _ context: OpContext) throws(InferenceError) {
    let declared = try context.dtype(attribute, default: dtype)
    guard declared == dtype else {
      throw InferenceError(
        .invalidArgument, "\(context.location): the input is \(dtype), but \(attribute) is \(declared)")
    }
  }

  /// `float32` goes with `complex64`, `float64` with `complex128`; anything else is refused.
  private static func checkPair(real: DType, complex: DType, _ context: OpContext) throws(InferenceError) {
    guard complex.complexPartType == real else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): \(real) and \(complex) do not pair (float32 with complex64, float64 with complex128)")
    }
  }

  /// `fft_length`, the second input: one length per transformed dimension.
  private static func fftLengths(_ rank: Int, _ context: OpContext) throws(InferenceError) -> [Int] {
    let tensor = try context.tensor(1)
    guard tensor.shape == [rank] else {
      throw InferenceError(
        .invalidArgument,
        "\(context.location): fft_length must be a vector of \(rank), got shape \(Shape.format(tensor.shape))")
    }
    return try ArrayOps.integers(tensor, context)
  }
}
