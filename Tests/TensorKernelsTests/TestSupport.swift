import RegistryTestSupport
import Testing

@testable import TensorKernels

/// `count` floats uniformly drawn from [-1, 1).
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float.random(in: -1..<1, using: &generator) }
}

/// A reference value computed in `Double`, with the sum of the magnitudes of the terms that made
/// it, which bounds the rounding error of any float32 summation order.
struct Reference {
  var value: Double = 0
  var magnitude: Double = 0

  mutating func add(_ term: Double) {
    value += term
    magnitude += Swift.abs(term)
  }
}

/// Checks float32 results against `Double` references with the declared tolerance for float32
/// sums of small sizes: `|actual - expected| <= 1e-6 + 1e-5 * magnitude`, where `magnitude` is
/// the sum of the absolute values of the terms (so cancellation does not demand exactness).
func expectMatches(
  _ actual: [Float], _ references: [Reference], sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == references.count, sourceLocation: sourceLocation)
  var failures = 0
  for (index, (value, reference)) in zip(actual, references).enumerated() {
    let error = Swift.abs(Double(value) - reference.value)
    if error > 1e-6 + 1e-5 * reference.magnitude {
      failures += 1
      if failures <= 5 {
        let tolerance = 1e-6 + 1e-5 * reference.magnitude
        Issue.record(
          "element \(index): got \(value), expected \(reference.value) (tolerance \(tolerance))",
          sourceLocation: sourceLocation)
      }
    }
  }
  #expect(failures == 0, "\(failures) elements out of tolerance", sourceLocation: sourceLocation)
}

/// Checks values elementwise with `|actual - expected| <= absolute + relative * |expected|`.
///
/// NaN matches NaN and infinities must match exactly. Reports the first few mismatches only.
func expectClose(
  _ actual: [Float], _ expected: [Float], relative: Float = 1e-6, absolute: Float = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  expectClose(
    actual.map(Double.init), expected.map(Double.init), relative: Double(relative),
    absolute: Double(absolute), sourceLocation: sourceLocation)
}

/// `expectClose` for `Double` results.
func expectClose(
  _ actual: [Double], _ expected: [Double], relative: Double = 1e-12, absolute: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.count == expected.count, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
  var failures = 0
  for (index, (a, e)) in zip(actual, expected).enumerated() {
    let ok: Bool
    if e.isNaN {
      ok = a.isNaN
    } else if e.isInfinite {
      ok = a == e
    } else {
      ok = Swift.abs(a - e) <= absolute + relative * Swift.abs(e)
    }
    if !ok {
      failures += 1
      if failures <= 5 {
        Issue.record("element \(index): got \(a), expected \(e)", sourceLocation: sourceLocation)
      }
    }
  }
  #expect(failures == 0, "\(failures) elements out of tolerance", sourceLocation: sourceLocation)
}

/// TensorFlow's window rule for one dimension, written out independently of the library's:
/// returns the output size and the padding before.
func referenceWindow(
  input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding,
  explicit: (Int, Int) = (0, 0)
) -> (size: Int, before: Int) {
  let effective = (kernel - 1) * dilation + 1
  switch padding {
  case .valid:
    return ((input - effective + stride) / stride, 0)
  case .same:
    let size = (input + stride - 1) / stride
    let total = Swift.max((size - 1) * stride + effective - input, 0)
    return (size, total / 2)
  case .explicit:
    return ((input + explicit.0 + explicit.1 - effective + stride) / stride, explicit.0)
  }
}
