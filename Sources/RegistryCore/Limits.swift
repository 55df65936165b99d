import Foundation

/// How much work and memory input may ask for: one policy for every reader, kernel and server.
///
/// Files, models and requests come from other people. Every size computed from input uses checked
/// arithmetic and is compared with these limits *before* anything is allocated or looped over, so
/// a lying length or a huge shape is a clear `resource_exhausted` error, never a crash or an
/// allocation the machine cannot make. The defaults fit a 24 GiB machine running one model; each
/// can be raised with an environment variable (`REGISTRY_LIMIT_<NAME>`, e.g.
/// `REGISTRY_LIMIT_TENSOR_BYTES=17179869184`) and, for the commands that take them, a flag.
/// docs/security.md lists them.
public struct Limits: Sendable, Equatable {
  /// The largest single tensor (or decoded object, or `.npy` array), in bytes.
  public var tensorBytes: Int64 = 8 << 30
  /// The most elements of a single tensor.
  public var tensorElements: Int64 = 2 << 30
  /// The largest file read whole into memory (`saved_model.pb`, `fingerprint.pb`, an index, a manifest).
  public var fileBytes: Int64 = 2 << 30
  /// The largest `.npy` header, in bytes (NumPy itself writes a few hundred).
  public var headerBytes: Int64 = 1 << 20
  /// The most nodes of a graph or one function of its library.
  public var graphNodes: Int64 = 2_000_000
  /// The deepest nesting of function calls (`PartitionedCall`, `While` and `If` bodies).
  public var functionDepth: Int64 = 64
  /// The largest input file `run` reads (`.npy` or `.json`).
  public var inputFileBytes: Int64 = 4 << 30
  /// RE2's memory budget for one regular expression (`max_mem`), in bytes: its compiled program
  /// and DFA caches. The default is RE2's and TensorFlow's, 8 MiB (about 700,000 instructions).
  public var regexMemoryBytes: Int64 = 8 << 20
  /// How long one `sql` statement may run, in seconds.
  public var sqlSeconds: Double = 10
  /// The most rows `sql` returns (it says when it cut a result).
  public var sqlRows: Int64 = 10_000
  /// The most bytes of text `sql` returns.
  public var sqlBytes: Int64 = 64 << 20
  /// The largest model card (Markdown), in bytes; a card is read whole and rendered on every view.
  public var cardBytes: Int64 = 1 << 20

  public init() {}

  /// The defaults, with each `REGISTRY_LIMIT_<NAME>` found in `environment` applied.
  public init(environment: [String: String]) {
    self.init()
    for (key, path) in Self.integerLimits {
      if let text = environment["REGISTRY_LIMIT_\(key)"], let value = Int64(text), value > 0 {
        self[keyPath: path] = value
      }
    }
    if let text = environment["REGISTRY_LIMIT_SQL_SECONDS"], let value = Double(text), value > 0, value.isFinite {
      sqlSeconds = value
    }
  }

  /// The environment variable of each integer limit.
  public static var integerLimits: [(String, WritableKeyPath<Limits, Int64>)] {
    [
      ("TENSOR_BYTES", \.tensorBytes), ("TENSOR_ELEMENTS", \.tensorElements), ("FILE_BYTES", \.fileBytes),
      ("HEADER_BYTES", \.headerBytes), ("GRAPH_NODES", \.graphNodes), ("FUNCTION_DEPTH", \.functionDepth),
      ("INPUT_FILE_BYTES", \.inputFileBytes), ("REGEX_MEMORY_BYTES", \.regexMemoryBytes),
      ("SQL_ROWS", \.sqlRows), ("SQL_BYTES", \.sqlBytes), ("CARD_BYTES", \.cardBytes),
    ]
  }

  private static let state = Locked(Limits(environment: ProcessInfo.processInfo.environment))

  /// The limits in force in this process: the defaults and the environment, as changed by flags
  /// at start-up (`Limits.current = …`).
  public static var current: Limits {
    get { state.withLock { $0 } }
    set { state.withLock { $0 = newValue } }
  }
}

/// Input asked for more than a limit allows.
public struct LimitExceeded: CategorizedError, Equatable {
  /// What was asked for, e.g. `tensor "w" of shape [4294967296, 4294967296]`.
  public let subject: String
  /// The limit's name as its environment variable spells it, e.g. `TENSOR_BYTES`.
  public let limit: String
  /// The amount asked for, or nil when it does not even fit in 64 bits.
  public let requested: Int64?
  /// The limit in force.
  public let allowed: Int64

  public init(_ subject: String, limit: String, requested: Int64?, allowed: Int64) {
    self.subject = subject
    self.limit = limit
    self.requested = requested
    self.allowed = allowed
  }

  public var category: ErrorCategory { .resourceExhausted }
  public var message: String {
    let amount = requested.map { "\($0)" } ?? "more than 2^63"
    return "\(subject) needs \(amount), over the limit of \(allowed) (raise it with REGISTRY_LIMIT_\(limit))"
  }
}

extension Limits {
  /// The number of elements of `shape`, or nil when a dimension is negative or the product
  /// overflows 64 bits.
  ///
  /// - Complexity: O(rank).
  public static func elementCount<Dimensions: Sequence>(_ shape: Dimensions) -> Int64?
  where Dimensions.Element: BinaryInteger {
    var count: Int64 = 1
    for dimension in shape {
      guard dimension >= 0, let value = Int64(exactly: dimension) else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: value)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// Checks that a tensor of `shape` with `elementSize`-byte elements fits both tensor limits and
  /// returns its element count and byte size.
  ///
  /// - Throws: `LimitExceeded` naming `subject` when the shape is invalid, overflows, or is too large.
  public func checkTensor<Dimensions: Sequence>(
    _ subject: @autoclosure () -> String, shape: Dimensions, elementSize: Int
  ) throws(LimitExceeded) -> (elements: Int64, bytes: Int64) where Dimensions.Element: BinaryInteger {
    guard let elements = Self.elementCount(shape) else {
      throw LimitExceeded(subject(), limit: "TENSOR_ELEMENTS", requested: nil, allowed: tensorElements)
    }
    guard elements <= tensorElements else {
      throw LimitExceeded(subject(), limit: "TENSOR_ELEMENTS", requested: elements, allowed: tensorElements)
    }
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: Int64(elementSize))
    guard !overflow, bytes <= tensorBytes else {
      throw LimitExceeded(subject(), limit: "TENSOR_BYTES", requested: overflow ? nil : bytes, allowed: tensorBytes)
    }
    return (elements, bytes)
  }

  /// The sum of sizes for a report, saturating at `Int64.max` instead of trapping: file sizes
  /// come from input too, and a sparse file on tmpfs can claim 2^62 bytes (two of them overflow).
  ///
  /// - Complexity: O(n).
  public static func saturatingSum<Sizes: Sequence>(_ sizes: Sizes) -> Int64 where Sizes.Element == Int64 {
    var total: Int64 = 0
    for size in sizes {
      let (sum, overflow) = total.addingReportingOverflow(size)
      if overflow { return size > 0 ? .max : .min }
      total = sum
    }
    return total
  }

  /// Checks one size against one limit.
  public static func check(
    _ subject: @autoclosure () -> String, _ requested: Int64, against allowed: Int64, limit: String
  ) throws(LimitExceeded) {
    guard requested <= allowed else {
      throw LimitExceeded(subject(), limit: limit, requested: requested, allowed: allowed)
    }
  }
}
