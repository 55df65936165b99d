import Foundation
import Inference
import RegistryCore
import TensorKernels
import TestModels
import Testing

@Suite("loading and checking before running")
struct LoadingTests {
  static func model(_ name: String) -> URL { ConformanceTests.root.appendingPathComponent("\(name)/model") }

  @Test("an unsupported model fails at load, listing every unsupported op with where it is")
  func unsupportedListedAtOnce() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unsupported-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try UnsupportedModel.write(to: directory)
    do {
      _ = try LoadedModel(directory: directory)
      Issue.record("a model with RandomUniform and SparseBincount loaded")
    } catch {
      #expect(error.category == .unsupported)
      #expect(error.message.contains("RandomUniform (2x, e.g. graph/random, graph/random_1)"), "\(error.message)")
      #expect(error.message.contains("SparseBincount (1x, e.g. inner_fn/bincount)"), "\(error.message)")
    }
  }

  @Test("feeds are checked against the signature before anything runs")
  func feedValidation() throws {
    let model = try LoadedModel(directory: Self.model("keras2_mlp"))
    let signature = try #require(model.signatures["serving_default"])
    let input = try #require(signature.inputs.first)
    #expect(input.dtype == .float32 && input.shape == [-1, 4])
    let good = Tensor(float32: [Float](repeating: 0.5, count: 8), shape: [2, 4])
    #expect(try model.run(inputs: [input.name: good])["probs"]?.shape == [2, 3])

    func expectFailure(_ inputs: [String: Tensor], signature: String = "serving_default", mentioning words: String) {
      do {
        _ = try model.run(signature: signature, inputs: inputs)
        Issue.record("accepted bad inputs (\(words))")
      } catch {
        #expect(error.category == .invalidArgument)
        #expect(error.message.contains(words), "\(error.message)")
      }
    }
    expectFailure([:], mentioning: "missing input \"\(input.name)\"")
    expectFailure(
      [input.name: Tensor(int32: [Int32](repeating: 1, count: 8), shape: [2, 4])], mentioning: "must be float32")
    expectFailure(
      [input.name: Tensor(float32: [Float](repeating: 1, count: 6), shape: [2, 3])], mentioning: "must have shape")
    expectFailure([input.name: good, "extra": good], mentioning: "unknown input \"extra\"")
    expectFailure([input.name: good], signature: "nope", mentioning: "no signature \"nope\"")
  }

  @Test("one loaded model serves many calls from several threads with the same results")
  func concurrentCalls() throws {
    let model = try LoadedModel(directory: Self.model("finetune_head"))
    let input = try #require(model.signatures["serving_default"]?.inputs.first)
    let shape = input.shape?.map { $0 == -1 ? 3 : $0 } ?? [3]
    let tensor = Tensor(float32: (0..<shape.reduce(1, *)).map { Float($0) / 10 }, shape: shape)
    let expected = try model.run(inputs: [input.name: tensor])
    let results = Locked<[[String: Tensor]]>([])
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      if let result = try? model.run(inputs: [input.name: tensor]) { results.withLock { $0.append(result) } }
    }
    let collected = results.withLock { $0 }
    #expect(collected.count == 8)
    for result in collected { #expect(result == expected) }
  }
}
