import RegistryCore
import TensorKernels

/// The state a loaded model keeps between calls: variable values by key (the `shared_name` of a
/// `VarHandleOp`, or the node name of a TF1 `VariableV2`). Restoring writes them once; serving
/// calls only read, from any number of threads.
final class VariableStore: Sendable {
  private let values = Locked<[String: Tensor]>([:])

  func read(_ key: String, context: @autoclosure () -> String) throws(InferenceError) -> Tensor {
    guard let value = values.withLock({ $0[key] }) else {
      throw InferenceError(
        .invalidArgument, "\(context()): variable \"\(key)\" was never assigned (was the checkpoint restored?)")
    }
    return value
  }

  func assign(_ key: String, _ value: Tensor) {
    values.withLock { $0[key] = value }
  }

  func isInitialized(_ key: String) -> Bool {
    values.withLock { $0[key] != nil }
  }
}
