import RegistryCore
import TensorKernels

/// The state a loaded model keeps between calls: variable values by key (the `shared_name` of a
/// `VarHandleOp`, or the node name of a TF1 `VariableV2`). Restoring writes them once; serving
/// calls only read, from any number of threads.
final class VariableStore: Sendable {
  private let state = Locked<(values: [String: Tensor], generation: UInt64)>(([:], 0))

  /// Counts assignments: values computed from variables (`VariableFolding`) are reused only while
  /// it is unchanged.
  var generation: UInt64 { state.withLock { $0.generation } }

  func read(_ key: String, context: @autoclosure () -> String) throws(InferenceError) -> Tensor {
    guard let value = state.withLock({ $0.values[key] }) else {
      throw InferenceError(
        .invalidArgument, "\(context()): variable \"\(key)\" was never assigned (was the checkpoint restored?)")
    }
    return value
  }

  func assign(_ key: String, _ value: Tensor) {
    state.withLock {
      $0.values[key] = value
      $0.generation += 1
    }
  }

  func isInitialized(_ key: String) -> Bool {
    state.withLock { $0.values[key] != nil }
  }
}
