/// Where a node input comes from, parsed from TensorFlow's input strings.
///
/// In a top-level GraphDef inputs read `node`, `node:K` or `^node`; inside a FunctionDef body
/// they read `arg`, `node:out_arg:K` or `^node`, where `out_arg` names one of the op's output
/// arguments (flattened later with the op's OpDef).
///
/// Format reference: savedmodel-format.md §2.3 and §2.7.
enum Endpoint: Hashable, Sendable {
  /// Output `index` of `node` (top-level graph form).
  case output(node: String, index: Int)
  /// Element `index` of output argument `argument` of `node` (function body form).
  case argumentOutput(node: String, argument: String, index: Int)
  /// A function's input argument, by name.
  case functionArgument(String)
  /// A control dependency: `node` must run first; no value flows.
  case control(String)

  /// Parses an input string.
  ///
  /// - Parameter inFunction: whether the string comes from a FunctionDef body (where a bare
  ///   name is an argument, not a node).
  static func parse(_ text: String, inFunction: Bool) throws(InferenceError) -> Endpoint {
    if text.hasPrefix("^") { return .control(String(text.dropFirst())) }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch (parts.count, inFunction) {
    case (1, true):
      return .functionArgument(parts[0])
    case (1, false):
      return .output(node: parts[0], index: 0)
    case (2, _):
      guard let index = Int(parts[1]), index >= 0 else {
        throw InferenceError(.invalidArgument, "input \"\(text)\" has a bad output index")
      }
      return .output(node: parts[0], index: index)
    case (3, true):
      guard let index = Int(parts[2]), index >= 0 else {
        throw InferenceError(.invalidArgument, "input \"\(text)\" has a bad output index")
      }
      return .argumentOutput(node: parts[0], argument: parts[1], index: index)
    default:
      throw InferenceError(.invalidArgument, "cannot parse input \"\(text)\"")
    }
  }

  /// The node this endpoint depends on, if any.
  var node: String? {
    switch self {
    case .output(let node, _), .argumentOutput(let node, _, _), .control(let node): return node
    case .functionArgument: return nil
    }
  }
}
