import RegistryCore
import TensorKernels
import TextKernels

/// Lookup tables as resources: `HashTableV2` and `MutableHashTableV2` create (or find) a table
/// and yield its handle; the `LookupTable*V2` and `InitializeTable*V2` ops act on the table a
/// handle names. Tables live in the runtime's `TableStore`, keyed like TensorFlow's resource
/// manager: container and `shared_name`; with no shared name, the node's own name when
/// `use_node_name_sharing`, else the node itself (a table private to it).
enum LookupTableOps {
  static func register(into registry: inout OpRegistry) {
    for (op, kind) in [("HashTableV2", LookupTable.Kind.initializable), ("MutableHashTableV2", .mutable)] {
      registry.register(op) { context throws(InferenceError) in
        let keyType = try context.dtype("key_dtype")
        let valueType = try context.dtype("value_dtype")
        let key = try resourceKey(context)
        let table = context.runtime.tables.table(key) {
          LookupTable(kind: kind, keyType: keyType, valueType: valueType, name: key)
        }
        guard table.kind == kind, table.keyType == keyType, table.valueType == valueType else {
          throw InferenceError(
            .invalidArgument,
            "\(context.location): conflicting key/value dtypes \(keyType)->\(valueType) with \(table.keyType)-\(table.valueType) for table \(key)"
          )
        }
        return [.resource(key)]
      }
    }
    registry.register("LookupTableFindV2") { context throws(InferenceError) in
      let table = try self.table(context)
      let (keys, defaults) = (try context.tensor(1), try context.tensor(2))
      return [.tensor(try run(context) { () throws(TextError) in try table.find(keys, default: defaults) })]
    }
    registry.register("LookupTableSizeV2") { context throws(InferenceError) in
      [.tensor(Tensor(int64: [Int64(try table(context).count)], shape: []))]
    }
    registry.register("LookupTableExportV2") { context throws(InferenceError) in
      let table = try self.table(context)
      let (keys, values) = try run(context) { () throws(TextError) in try table.export() }
      return [.tensor(keys), .tensor(values)]
    }
    registry.register("LookupTableInsertV2") { context throws(InferenceError) in
      let table = try self.table(context)
      let (keys, values) = (try context.tensor(1), try context.tensor(2))
      try run(context) { () throws(TextError) in
        try table.insert(try table.pairs(keys: keys, values: values), replacing: false)
      }
      return []
    }
    registry.register("LookupTableRemoveV2") { context throws(InferenceError) in
      let table = try self.table(context)
      let keys = try context.tensor(1)
      try run(context) { () throws(TextError) in
        guard keys.dtype == table.keyType else {
          throw TextError("key must be type \(table.keyType) but got \(keys.dtype)")
        }
        try table.remove(try TextError.wrap { try TableScalar.elements(of: keys) })
      }
      return []
    }
    // Import replaces a mutable table's contents; it initializes an initializable one.
    for op in ["LookupTableImportV2", "InitializeTableV2"] {
      registry.register(op) { context throws(InferenceError) in
        let table = try self.table(context)
        let (keys, values) = (try context.tensor(1), try context.tensor(2))
        try run(context) { () throws(TextError) in
          let pairs = try table.pairs(keys: keys, values: values)
          if table.kind == .mutable && op == "LookupTableImportV2" {
            try table.insert(pairs, replacing: true)
          } else {
            guard table.kind == .initializable else { throw TextError("table \(table.name) is not initializable") }
            try table.initialize(pairs)
          }
        }
        return []
      }
    }
    registry.register("InitializeTableFromTextFileV2") { context throws(InferenceError) in
      let table = try self.table(context)
      let filename = try context.tensor(1)
      guard filename.dtype == .string, filename.elementCount == 1,
        let path = try context.run({ try filename.strings() }).first
      else {
        throw InferenceError(
          .invalidArgument,
          "\(context.location): the filename must be a single string, got \(filename.dtype)\(Shape.format(filename.shape))"
        )
      }
      let delimiter = Array(try context.string("delimiter", default: "").utf8)
      let initializer = TextFileInitializer(
        keyIndex: try context.int("key_index"), valueIndex: try context.int("value_index"),
        delimiter: delimiter.first ?? UInt8(ascii: "\t"), vocabSize: try context.int("vocab_size", default: -1),
        offset: Int64(try context.int("offset", default: 0)))
      guard table.kind == .initializable else {
        throw InferenceError(.invalidArgument, "\(context.location): table \(table.name) is not initializable")
      }
      try run(context) { () throws(TextError) in
        try initializer.validate(keyType: table.keyType, valueType: table.valueType)
      }
      let file = String(decoding: path, as: UTF8.self)
      let contents: [UInt8]
      do throws(InferenceError) {
        contents = try context.runtime.readFile(file)
      } catch {
        throw InferenceError(error.category, "\(context.location): \(error.message)")
      }
      if table.isInitialized { return [] }  // TensorFlow ignores a repeat from a file (after opening it)
      try run(context) { () throws(TextError) in
        let entries = try initializer.entries(contents, file: file, keyType: table.keyType, valueType: table.valueType)
        try table.initialize(entries, ignoringRepeat: true)
      }
      return []
    }
  }

  /// The key a table-creating node's resource has: `container/shared_name`, the node name when
  /// there is no shared name and `use_node_name_sharing`, else the node itself.
  static func resourceKey(_ context: OpContext) throws(InferenceError) -> String {
    let container = try context.string("container", default: "")
    var name = try context.string("shared_name", default: "")
    if name.isEmpty {
      let sharing = try context.bool("use_node_name_sharing")
      name = sharing ? context.node.name : "\(context.graph.name)/\(context.node.name) (private)"
    }
    return "\(container)/\(name)"
  }

  static func table(_ context: OpContext) throws(InferenceError) -> LookupTable {
    let key = try context.resource(0)
    guard let table = context.runtime.tables.table(key) else {
      throw InferenceError(
        .invalidArgument, "\(context.location): no lookup table \"\(key)\" (its HashTableV2 did not run)")
    }
    return table
  }

  static func run<T>(_ context: OpContext, _ body: () throws(TextError) -> T) throws(InferenceError) -> T {
    do {
      return try body()
    } catch {
      throw InferenceError(.invalidArgument, "\(context.location): \(error.description)")
    }
  }
}
