import TensorKernels

/// What flows along a graph edge.
enum Value: Sendable {
  case tensor(Tensor)
  /// A handle to a resource variable, by its key in `VariableStore`.
  case resource(String)

  func tensor(_ context: String) throws(InferenceError) -> Tensor {
    guard case .tensor(let tensor) = self else {
      throw InferenceError(.invalidGraph, "\(context): expected a tensor, got a resource handle")
    }
    return tensor
  }

  func resource(_ context: String) throws(InferenceError) -> String {
    guard case .resource(let key) = self else {
      throw InferenceError(.invalidGraph, "\(context): expected a resource handle, got a tensor")
    }
    return key
  }
}
