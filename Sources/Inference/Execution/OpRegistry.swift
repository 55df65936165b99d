/// Kernels by op name; each op family registers its own (Ops/*.swift).
struct OpRegistry: Sendable {
  typealias Kernel = @Sendable (OpContext) throws(InferenceError) -> [Value]
  private var kernels: [String: Kernel] = [:]

  mutating func register(_ op: String, _ kernel: @escaping Kernel) {
    precondition(kernels[op] == nil, "op \(op) registered twice")
    kernels[op] = kernel
  }

  func kernel(for op: String) -> Kernel? { kernels[op] }
  func supports(_ op: String) -> Bool { kernels[op] != nil }

  /// Every registered op, sorted; internal ops (fusions) start with `_`.
  var names: [String] { kernels.keys.sorted() }
}
