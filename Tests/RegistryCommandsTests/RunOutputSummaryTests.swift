import TensorKernels
import Testing

@testable import RegistryCommands

/// How `registry run` prints and `--json` writes output values, complex ones included.
@Suite("run output values")
struct RunOutputSummaryTests {
  @Test("complex values are written \"RE+IMj\" / \"RE-IMj\", both precisions, NaN and infinities too")
  func complexValues() {
    let z = Tensor(complex64: [Complex64(1.5, -2), Complex64(0, 0.25), Complex64(.nan, .infinity)], shape: [3])
    let summary = OutputSummary(name: "z", tensor: z, file: nil)
    #expect(summary.dtype == "DT_COMPLEX64")
    #expect(summary.values == ["1.5-2.0j", "0.0+0.25j", "nan+infj"])
    let wide = OutputSummary(name: "w", tensor: Tensor(complex128: [Complex128(-0.1, -1e300)], shape: []), file: nil)
    #expect(wide.values == ["-0.1-1e+300j"])
    let large = Tensor(complex64: [Complex64](repeating: Complex64(1, 1), count: 65), shape: [65])
    #expect(OutputSummary(name: "l", tensor: large, file: nil).values == nil)
  }
}
