import TensorKernels
import Testing

@testable import Inference

/// `tf.TensorArray(dynamic_size=True)` in a loop writes `TensorListSetItem` with
/// `resize_if_index_out_of_bounds`: the list grows to reach the index.
@Suite("growing tensor lists")
struct TensorListGrowthTests {
  typealias H = GraphHarness

  func graph(resize: Bool) -> GraphHarness {
    let attributes = ["element_dtype": H.attribute(.dtFloat)]
    var graph = GraphHarness()
    graph.add("shape", "Placeholder")
    graph.add("count", "Placeholder")
    graph.add("index", "Placeholder")
    graph.add("item", "Placeholder")
    graph.add("list", "TensorListReserve", ["shape", "count"], attributes)
    graph.add(
      "set", "TensorListSetItem", ["list", "index", "item"],
      attributes.merging(["resize_if_index_out_of_bounds": H.attribute(resize)]) { $1 })
    graph.add("length", "TensorListLength", ["set"])
    graph.add("stacked", "TensorListStack", ["set", "shape"], attributes)
    return graph
  }

  @Test("an index past the end grows the list; the new items read as zeros")
  func grows() throws {
    let feeds = [
      "shape": Tensor(int32: [2], shape: [1]), "count": Tensor(int32: [1], shape: []),
      "index": Tensor(int32: [3], shape: []), "item": Tensor(float32: [5, -.infinity], shape: [2]),
    ]
    let outputs = try graph(resize: true).run(["length", "stacked"], feeds: feeds)
    #expect(outputs[0] == [Tensor(int32: [4], shape: [])])
    #expect(outputs[1] == [Tensor(float32: [0, 0, 0, 0, 0, 0, 5, -.infinity], shape: [4, 2])])
    // Within bounds nothing grows.
    var inside = feeds
    inside["index"] = Tensor(int32: [0], shape: [])
    #expect(try graph(resize: true).run(["length"], feeds: inside)[0] == [Tensor(int32: [1], shape: [])])
  }

  @Test("without the attribute, or with a negative or huge index, the write is refused")
  func refuses() throws {
    let feeds = [
      "shape": Tensor(int32: [2], shape: [1]), "count": Tensor(int32: [1], shape: []),
      "index": Tensor(int32: [3], shape: []), "item": Tensor(float32: [5, 6], shape: [2]),
    ]
    #expect(throws: InferenceError.self) { try graph(resize: false).run(["length"], feeds: feeds) }
    var negative = feeds
    negative["index"] = Tensor(int32: [-1], shape: [])
    #expect(throws: InferenceError.self) { try graph(resize: true).run(["length"], feeds: negative) }
    var huge = feeds
    huge["index"] = Tensor(int64: [Int64.max], shape: [])
    do {
      _ = try graph(resize: true).run(["length"], feeds: huge)
      Issue.record("a list of 2^63 items was made")
    } catch let error as InferenceError {
      #expect(error.category == .resourceExhausted, "\(error.message)")
    }
  }
}
