import RegistryCore
import TensorKernels
import TextKernels

/// Regular-expression ops on RE2 (`RegexPattern`), as TensorFlow's `regex_replace_op.cc` and
/// `regex_full_match_op.cc` run them: replace (`RE2::GlobalReplace`, or `RE2::Replace` without
/// `replace_global`) and full match (`RE2::FullMatch`), with the pattern an attribute (`Static*`)
/// or a scalar input.
enum RegexOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("StaticRegexReplace") { context throws(InferenceError) in
      let regex = try compile(Array(context.string("pattern", default: "").utf8), context)
      return try replace(context, regex, rewrite: Array(context.string("rewrite", default: "").utf8))
    }
    registry.register("RegexReplace") { context throws(InferenceError) in
      let regex = try compile(try scalarString(context, 1, "Pattern"), context)
      return try replace(context, regex, rewrite: try scalarString(context, 2, "Rewrite"))
    }
    registry.register("StaticRegexFullMatch") { context throws(InferenceError) in
      try fullMatch(context, try compile(Array(context.string("pattern", default: "").utf8), context))
    }
    registry.register("RegexFullMatch") { context throws(InferenceError) in
      try fullMatch(context, try compile(try scalarString(context, 1, "Pattern"), context))
    }
  }

  static func replace(_ context: OpContext, _ regex: RegexPattern, rewrite: [UInt8]) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    let global = try context.bool("replace_global", default: true)
    var output: [[UInt8]] = []
    for text in try context.strings(0) {
      do {
        output.append(try regex.replace(in: text, with: rewrite, global: global))
      } catch {
        throw failure(error, context)
      }
    }
    return [.tensor(Tensor(strings: output, shape: input.shape))]
  }

  static func fullMatch(_ context: OpContext, _ regex: RegexPattern) throws(InferenceError) -> [Value] {
    let input = try context.tensor(0)
    var matches: [Bool] = []
    for text in try context.strings(0) {
      do {
        matches.append(try regex.fullMatch(text))
      } catch {
        throw failure(error, context)
      }
    }
    return [.tensor(Tensor(bool: matches, shape: input.shape))]
  }

  /// A scalar string input; `name` as TensorFlow capitalises it in "Pattern must be scalar".
  static func scalarString(_ context: OpContext, _ index: Int, _ name: String) throws(InferenceError) -> [UInt8] {
    let tensor = try context.tensor(index)
    guard tensor.rank == 0 else {
      throw InferenceError(
        .invalidArgument, "\(context.location): \(name) must be scalar, but received \(Shape.format(tensor.shape))")
    }
    return try context.strings(index)[0]
  }

  private struct CacheKey: Hashable {
    let pattern: [UInt8]
    let maxMemory: Int64
  }

  /// Compiled patterns by source and memory budget: a static op compiles its pattern once, not
  /// on every call. Bounded, since each RE2 may grow DFA caches up to its budget.
  private static let cache = Locked<[CacheKey: RegexPattern]>([:])

  /// Compiles `pattern` with RE2's memory budget, `Limits.current.regexMemoryBytes`.
  ///
  /// - Throws: invalid_argument "Invalid pattern: …, error: …" (TensorFlow's message) for a
  ///   pattern RE2 rejects; resource_exhausted, naming the limit, for one too large for it.
  static func compile(_ pattern: [UInt8], _ context: OpContext) throws(InferenceError) -> RegexPattern {
    let key = CacheKey(
      pattern: pattern, maxMemory: Limits.current.regexMemoryBytes)
    if let cached = cache.withLock({ $0[key] }) { return cached }
    do {
      let regex = try RegexPattern(pattern, maxMemory: key.maxMemory)
      cache.withLock { cache in
        if cache.count >= 64 { cache.removeAll() }
        cache[key] = regex
      }
      return regex
    } catch {
      throw failure(error, context)
    }
  }

  private static func failure(_ error: RegexError, _ context: OpContext) -> InferenceError {
    switch error.kind {
    case .invalid:
      return InferenceError(.invalidArgument, "\(context.location): \(error.description)")
    case .tooLarge:
      let limits = Limits.current
      return InferenceError(
        .resourceExhausted,
        "\(context.location): \(error.description) (RE2's max_mem is \(limits.regexMemoryBytes) bytes; "
          + "raise it with REGISTRY_LIMIT_REGEX_MEMORY_BYTES)")
    case .outOfMemory:
      return InferenceError(.resourceExhausted, "\(context.location): \(error.description)")
    }
  }
}
