import Synchronization
import TensorKernels
import TextKernels

/// Regular-expression ops on RE2 semantics (`RegexPattern`): replace (first or every match) and
/// full match, with the pattern an attribute (`Static*`) or a scalar input.
enum RegexOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("StaticRegexReplace") { context throws(InferenceError) in
      let regex = try compile(Array(context.string("pattern", default: "").utf8), context)
      return try replace(context, regex, rewrite: Array(context.string("rewrite", default: "").utf8))
    }
    registry.register("RegexReplace") { context throws(InferenceError) in
      let regex = try compile(try scalarString(context, 1, "pattern"), context)
      return try replace(context, regex, rewrite: try scalarString(context, 2, "rewrite"))
    }
    registry.register("StaticRegexFullMatch") { context throws(InferenceError) in
      try fullMatch(context, try compile(Array(context.string("pattern", default: "").utf8), context))
    }
    registry.register("RegexFullMatch") { context throws(InferenceError) in
      try fullMatch(context, try compile(try scalarString(context, 1, "pattern"), context))
    }
  }

  static func replace(_ context: OpContext, _ regex: RegexPattern, rewrite: [UInt8]) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    let global = try context.bool("replace_global", default: true)
    let parsed = RegexRewrite(rewrite)
    let output = try context.strings(0).map { regex.replace(in: $0, with: parsed, global: global) }
    return [.tensor(Tensor(strings: output, shape: input.shape))]
  }

  static func fullMatch(_ context: OpContext, _ regex: RegexPattern) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    return [.tensor(Tensor(bool: try context.strings(0).map { regex.fullMatch($0) }, shape: input.shape))]
  }

  static func scalarString(_ context: OpContext, _ index: Int, _ name: String) throws(InferenceError) -> [UInt8] {
    let tensor = try context.tensor(index)
    guard tensor.rank == 0 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): \(name) must be scalar, but received \(Shape.format(tensor.shape))")
    }
    return try context.strings(index)[0]
  }

  /// Compiled patterns by source: a static op compiles its pattern once, not on every call.
  private static let cache = Mutex<[[UInt8]: RegexPattern]>([:])

  static func compile(_ pattern: [UInt8], _ context: OpContext) throws(InferenceError) -> RegexPattern {
    if let cached = cache.withLock({ $0[pattern] }) { return cached }
    do {
      let regex = try RegexPattern(pattern)
      cache.withLock { cache in
        if cache.count >= 256 { cache.removeAll() }
        cache[pattern] = regex
      }
      return regex
    } catch {
      throw InferenceError(
        error.isUnsupported ? .unsupported : .invalidArgument, "\(context.location): \(error.description)")
    }
  }
}
