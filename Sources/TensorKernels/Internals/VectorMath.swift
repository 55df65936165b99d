import CVectorMath

/// `exp`, the logistic function and `tanh` on float32 tensors through `CVectorMath`'s vectorised loops
/// (see `vector_math.c` for the method and its accuracy: within 2 ulps of `expf`).
enum VectorMath {
  static func exp(_ x: Tensor) -> Tensor { map(x, cvectormath_exp_f32) }

  static func sigmoid(_ x: Tensor) -> Tensor { map(x, cvectormath_sigmoid_f32) }

  static func tanh(_ x: Tensor) -> Tensor { map(x, cvectormath_tanh_f32) }

  static func swish(_ x: Tensor, beta: Float) -> Tensor { map(x) { cvectormath_swish_f32($0, $1, $2, beta) } }

  static func erfc(_ x: Tensor) -> Tensor { map(x, cvectormath_erfc_f32) }

  /// `exp` over `count` floats from `input` into `output` (which must not overlap it).
  static func exp(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
    cvectormath_exp_f32(input, output, count)
  }

  static func swishInPlace(_ elements: UnsafeMutableBufferPointer<Float>, beta: Float) {
    Parallel.forEachRange(elements.count, costPerItem: 16) { range in
      let start = elements.baseAddress! + range.lowerBound
      cvectormath_swish_f32(start, start, range.count, beta)
    }
  }

  /// Runs a C array function over `x`'s elements, in pieces across cores when large.
  private static func map(
    _ x: Tensor, _ function: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
  ) -> Tensor {
    x.withElements(Float.self) { input in
      Tensor.makeOverwritten(Float.self, shape: x.shape) { output in
        Parallel.forEachRange(input.count, costPerItem: 16) { range in
          function(input.baseAddress! + range.lowerBound, output.baseAddress! + range.lowerBound, range.count)
        }
      }
    }
  }
}
