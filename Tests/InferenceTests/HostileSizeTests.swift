import Foundation
import RegistryCore
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Hostile models from issue 12: sizes that come from a graph's constants, attributes or input
/// values. Each once crashed `registry run` (an allocation of terabytes, an `Int` overflow, a
/// negative count); each must now fail with an `InferenceError` naming the node, checked before
/// anything is allocated, so these tests never ask for the memory they describe.
@Suite("sizes from input are checked before anything is allocated")
struct HostileSizeTests {
  typealias H = GraphHarness

  /// Expects `error` to be of `category` and to name the node `op` (and `words`, if given).
  static func expect(
    _ error: InferenceError?, _ category: ErrorCategory, node: String = "op", mentioning words: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let error else {
      Issue.record("expected a \(category) failure, but it ran", sourceLocation: sourceLocation)
      return
    }
    #expect(error.category == category, "\(error.message)", sourceLocation: sourceLocation)
    #expect(error.message.contains("\"\(node)\""), "\(error.message)", sourceLocation: sourceLocation)
    if let words {
      #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
    }
  }

  /// The `InferenceError` `body` throws, or nil when it succeeds.
  static func failure(_ body: () throws -> Void) -> InferenceError? {
    do {
      try body()
      return nil
    } catch let error as InferenceError {
      return error
    } catch {
      return InferenceError(.internal, "\(error)")
    }
  }

  static func constant(
    _ dtype: Tensorflow_DataType, shape: [Int64], _ fill: (inout Tensorflow_TensorProto) -> Void = { _ in }
  ) -> [String: Tensorflow_AttrValue] {
    var proto = Tensorflow_TensorProto()
    proto.dtype = dtype
    proto.tensorShape.dim = shape.map { size in
      var dimension = Tensorflow_TensorShapeProto.Dim()
      dimension.size = size
      return dimension
    }
    fill(&proto)
    var value = Tensorflow_AttrValue()
    value.tensor = proto
    return ["value": value, "dtype": H.attribute(dtype)]
  }

  /// Runs one `Const` node named `c`.
  static func runConstant(_ attributes: [String: Tensorflow_AttrValue]) -> InferenceError? {
    var graph = GraphHarness()
    graph.add("c", "Const", [], attributes)
    return failure { _ = try graph.run(["c"]) }
  }

  func int64s(_ values: [Int64]) -> Tensor { Tensor(int64: values, shape: [values.count]) }
  func scalar(_ value: Int64) -> Tensor { Tensor(int64: [value], shape: []) }
  func float(_ value: Float) -> Tensor { Tensor(float32: [value], shape: []) }

  // MARK: - Constants

  @Test("a Const whose shape overflows, or that repeats one value to a huge shape, is resource_exhausted")
  func hugeConstants() {
    let overflowing = Self.constant(.dtFloat, shape: [1 << 32, 1 << 32]) { $0.floatVal = [1] }
    Self.expect(Self.runConstant(overflowing), .resourceExhausted, node: "c", mentioning: "TENSOR_ELEMENTS")
    // TensorFlow repeats a single value to fill the shape: 4 TB of float.
    let repeated = Self.constant(.dtFloat, shape: [1_000_000, 1_000_000]) { $0.floatVal = [1] }
    Self.expect(Self.runConstant(repeated), .resourceExhausted, node: "c", mentioning: "[1000000, 1000000]")
    let strings = Self.constant(.dtString, shape: [1_000_000_000_000]) { $0.stringVal = [Data("x".utf8)] }
    Self.expect(Self.runConstant(strings), .resourceExhausted, node: "c")
    let negative = Self.constant(.dtInt32, shape: [-1])
    Self.expect(Self.runConstant(negative), .invalidArgument, node: "c")
  }

  @Test("a Const that repeats one long string counts every copy's bytes")
  func longStringConstant() {
    // One million copies of a 10 kB string: 10 GB once any op writes them out.
    let long = Self.constant(.dtString, shape: [1_000_000]) { $0.stringVal = [Data(count: 10_000)] }
    Self.expect(Self.runConstant(long), .resourceExhausted, node: "c", mentioning: "TENSOR_BYTES")
    let fine = Self.constant(.dtString, shape: [3]) { $0.stringVal = [Data("a".utf8), Data("bc".utf8)] }
    #expect(Self.runConstant(fine) == nil)
  }
}
