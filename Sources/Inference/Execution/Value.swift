import TensorKernels

/// What flows along a graph edge.
enum Value: Sendable {
  case tensor(Tensor)
  /// A handle to a resource variable, by its key in `VariableStore`.
  case resource(String)
  /// A `DT_VARIANT` tensor list (TensorListReserve, TensorListSetItem, ...); unset items are nil.
  case list(TensorList)

  func tensor(_ context: @autoclosure () -> String) throws(InferenceError) -> Tensor {
    guard case .tensor(let tensor) = self else {
      throw InferenceError(.invalidArgument, "\(context()): expected a tensor, got a resource handle or a tensor list")
    }
    return tensor
  }

  func list(_ context: @autoclosure () -> String) throws(InferenceError) -> TensorList {
    guard case .list(let list) = self else {
      throw InferenceError(.invalidArgument, "\(context()): expected a tensor list")
    }
    return list
  }

  func resource(_ context: @autoclosure () -> String) throws(InferenceError) -> String {
    guard case .resource(let key) = self else {
      throw InferenceError(.invalidArgument, "\(context()): expected a resource handle, got a tensor")
    }
    return key
  }
}

/// A TensorFlow tensor list: a growable sequence of tensors of one dtype, with an element shape
/// (`-1` for unknown dimensions). Value semantics: every "mutating" op returns a new list.
struct TensorList: Sendable {
  var items: [Tensor?]
  let dtype: DType
  let elementShape: [Int]?
}
