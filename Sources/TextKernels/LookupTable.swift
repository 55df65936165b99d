import RegistryCore
import TensorKernels

/// One key or value of a lookup table, whatever its dtype: integers widen to `Int64`, floats to
/// `Double` (exactly), so that `0.0` and `-0.0` are one key and NaN matches nothing, as in
/// TensorFlow's hash maps.
package enum TableScalar: Hashable, Sendable, Comparable {
  case bytes([UInt8])
  case integer(Int64)
  case real(Double)
  case bool(Bool)

  package static func < (lhs: TableScalar, rhs: TableScalar) -> Bool {
    switch (lhs, rhs) {
    case (.bytes(let a), .bytes(let b)): return a.lexicographicallyPrecedes(b)
    case (.integer(let a), .integer(let b)): return a < b
    case (.real(let a), .real(let b)): return a < b
    case (.bool(let a), .bool(let b)): return !a && b
    default: return false
    }
  }

  package var text: String {
    switch self {
    case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
    case .integer(let value): return String(value)
    case .real(let value): return String(value)
    case .bool(let value): return String(value)
    }
  }

  /// A tensor's elements as table scalars.
  package static func elements(of tensor: Tensor) throws(TensorError) -> [TableScalar] {
    switch tensor.dtype {
    case .string: return try tensor.strings().map { .bytes($0) }
    case .bool: return try tensor.bools().map { .bool($0) }
    case .float32, .float64, .float16, .bfloat16:
      return try Cast.apply(tensor, to: .float64).doubles().map { .real($0) }
    default: return try Cast.apply(tensor, to: .int64).int64s().map { .integer($0) }
    }
  }

  /// A tensor of `dtype` holding these scalars.
  package static func tensor(_ scalars: [TableScalar], dtype: DType, shape: [Int]) throws(TensorError) -> Tensor {
    switch dtype {
    case .string: return Tensor(strings: scalars.map(\.bytesValue), shape: shape)
    case .bool: return Tensor(bool: scalars.map(\.boolValue), shape: shape)
    case .float32, .float64, .float16, .bfloat16:
      return try Cast.apply(Tensor(float64: scalars.map(\.realValue), shape: shape), to: dtype)
    case .int64: return Tensor(int64: scalars.map(\.integerValue), shape: shape)
    default: return try Cast.apply(Tensor(int64: scalars.map(\.integerValue), shape: shape), to: dtype)
    }
  }

  private var bytesValue: [UInt8] {
    if case .bytes(let bytes) = self { return bytes }
    return []
  }

  private var boolValue: Bool {
    if case .bool(let value) = self { return value }
    return false
  }

  private var realValue: Double {
    if case .real(let value) = self { return value }
    return 0
  }

  private var integerValue: Int64 {
    if case .integer(let value) = self { return value }
    return 0
  }
}

/// A TensorFlow lookup table resource: `HashTableV2` (filled once by an initializer, then
/// read-only) or `MutableHashTableV2` (insert, remove, import at any time). Scalar keys and
/// values; safe to use from several threads.
package final class LookupTable: Sendable {
  package enum Kind: Sendable {
    /// `HashTableV2`: initializable once; lookups before initialization fail.
    case initializable
    /// `MutableHashTableV2`.
    case mutable
  }

  package let kind: Kind
  package let keyType: DType
  package let valueType: DType
  /// The resource key, for messages.
  package let name: String
  private let state = Locked<State>(State())

  private struct State {
    var entries: [TableScalar: TableScalar] = [:]
    var isInitialized = false
  }

  package init(kind: Kind, keyType: DType, valueType: DType, name: String) {
    self.kind = kind
    self.keyType = keyType
    self.valueType = valueType
    self.name = name
  }

  package var isInitialized: Bool { state.withLock { $0.isInitialized } }

  package var count: Int {
    state.withLock { kind == .initializable && !$0.isInitialized ? 0 : $0.entries.count }
  }

  /// `LookupTableFindV2`: each key's value, or the default. A default with one element per key
  /// gives each key its own default in a mutable table; an initializable table uses its first
  /// element, as TensorFlow's `HashTable` does.
  package func find(_ keys: Tensor, default defaults: Tensor) throws(TextError) -> Tensor {
    try checkTypes(keys: keys.dtype, values: defaults.dtype, valuesRole: "default value")
    guard defaults.shape == [] || defaults.shape == keys.shape else {
      throw TextError(
        "expected shape [] or \(Shape.format(keys.shape)) for default value, got \(Shape.format(defaults.shape))")
    }
    let keyScalars = try TextError.wrap { try TableScalar.elements(of: keys) }
    let defaultScalars = try TextError.wrap { try TableScalar.elements(of: defaults) }
    let perKey = kind == .mutable && defaultScalars.count == keyScalars.count
    let found = try state.withLock { state throws(TextError) -> [TableScalar] in
      if kind == .initializable && !state.isInitialized { throw TextError("table not initialized") }
      return keyScalars.enumerated().map { index, key in
        state.entries[key] ?? (perKey ? defaultScalars[index] : defaultScalars.first ?? .integer(0))
      }
    }
    return try TextError.wrap { try TableScalar.tensor(found, dtype: valueType, shape: keys.shape) }
  }

  /// Initializes an initializable table from key/value pairs (`InitializeTableV2`, text files,
  /// `LookupTableImportV2`). Initializing again is accepted when the size would be the same, and
  /// always when `ignoringRepeat` (text files), as TensorFlow does.
  package func initialize(_ pairs: [(TableScalar, TableScalar)], ignoringRepeat: Bool = false) throws(TextError) {
    try state.withLock { state throws(TextError) in
      if state.isInitialized {
        if ignoringRepeat || pairs.count == state.entries.count { return }
        throw TextError("table was already initialized with different data")
      }
      var entries: [TableScalar: TableScalar] = [:]
      entries.reserveCapacity(pairs.count)
      for (key, value) in pairs {
        if let existing = entries[key], existing != value {
          throw TextError(
            "HashTable has different value for same key. Key \(key.text) has \(existing.text) and trying to add value \(value.text)"
          )
        }
        entries[key] = value
      }
      state.entries = entries
      state.isInitialized = true
    }
  }

  /// `LookupTableInsertV2` (mutable tables only); `replacing` clears first (`LookupTableImportV2`).
  package func insert(_ pairs: [(TableScalar, TableScalar)], replacing: Bool) throws(TextError) {
    guard kind == .mutable else { throw TextError("insert is not supported by initializable tables (HashTable)") }
    state.withLock { state in
      if replacing { state.entries.removeAll() }
      for (key, value) in pairs { state.entries[key] = value }
    }
  }

  /// `LookupTableRemoveV2` (mutable tables only).
  package func remove(_ keys: [TableScalar]) throws(TextError) {
    guard kind == .mutable else { throw TextError("remove is not supported by initializable tables (HashTable)") }
    state.withLock { state in
      for key in keys { state.entries[key] = nil }
    }
  }

  /// `LookupTableExportV2`: every key and value, in key order (TensorFlow's order is its hash
  /// map's, which no caller can rely on).
  package func export() throws(TextError) -> (keys: Tensor, values: Tensor) {
    let entries = try state.withLock { state throws(TextError) in
      if kind == .initializable && !state.isInitialized { throw TextError("HashTable is not initialized") }
      return state.entries.sorted { $0.key < $1.key }
    }
    return try TextError.wrap {
      (
        try TableScalar.tensor(entries.map(\.key), dtype: keyType, shape: [entries.count]),
        try TableScalar.tensor(entries.map(\.value), dtype: valueType, shape: [entries.count])
      )
    }
  }

  /// Keys and values as pairs, after checking their dtypes and sizes against the table's.
  package func pairs(keys: Tensor, values: Tensor) throws(TextError) -> [(TableScalar, TableScalar)] {
    try checkTypes(keys: keys.dtype, values: values.dtype, valuesRole: "value")
    guard keys.elementCount == values.elementCount else {
      throw TextError("keys and values must have the same size: \(keys.elementCount) vs \(values.elementCount)")
    }
    let keyScalars = try TextError.wrap { try TableScalar.elements(of: keys) }
    let valueScalars = try TextError.wrap { try TableScalar.elements(of: values) }
    return Array(zip(keyScalars, valueScalars))
  }

  private func checkTypes(keys: DType, values: DType, valuesRole: String) throws(TextError) {
    guard keys == keyType else { throw TextError("key must be type \(keyType) but got \(keys)") }
    guard values == valueType else {
      throw TextError("\(valuesRole) must be type \(valueType) but got \(values)")
    }
  }
}

/// The lookup tables of one loaded model, by resource key (container and shared name, or the
/// creating node for a table private to its node). `HashTableV2` in the top-level graph and in a
/// function with the same shared name resolve to the same table, as in TensorFlow's resource
/// manager.
package final class TableStore: Sendable {
  private let tables = Locked<[String: LookupTable]>([:])

  package init() {}

  /// The table under `key`, created by `make` if there is none yet.
  package func table(_ key: String, orCreate make: () -> LookupTable) -> LookupTable {
    tables.withLock { tables in
      if let table = tables[key] { return table }
      let table = make()
      tables[key] = table
      return table
    }
  }

  package func table(_ key: String) -> LookupTable? {
    tables.withLock { $0[key] }
  }
}
