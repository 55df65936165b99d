import Foundation
import RegistryTestSupport
import SavedModelFormat
import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Lookup tables through the graph layer: creation and sharing by name, initialization from
/// tensors and from vocabulary files (read through the injectable asset reader), lookups with
/// defaults, mutable tables. Expected values follow TensorFlow 2.21 (checked there by hand).
@Suite("lookup tables")
struct LookupTableTests {
  typealias H = GraphHarness

  func strings(_ values: [String]) -> Tensor { Tensor(strings: values, shape: [values.count]) }
  func int64s(_ values: [Int64]) -> Tensor { Tensor(int64: values, shape: [values.count]) }

  /// A HashTableV2 from `key_dtype` to `value_dtype`, initialized from placeholders `keys` and
  /// `values`, looked up with placeholders `query` and `default`.
  func tensorTable(_ key: Tensorflow_DataType, _ value: Tensorflow_DataType) -> GraphHarness {
    var graph = GraphHarness()
    for name in ["keys", "values", "query", "default"] { graph.add(name, "Placeholder") }
    graph.add(
      "table", "HashTableV2", [],
      ["key_dtype": H.attribute(key), "value_dtype": H.attribute(value), "shared_name": H.attribute("t")])
    graph.add("init", "InitializeTableV2", ["table", "keys", "values"])
    graph.add("find", "LookupTableFindV2", ["table", "query", "default", "^init"])
    graph.add("size", "LookupTableSizeV2", ["table", "^init"])
    return graph
  }

  @Test("keys of each dtype find their values; unknown keys get the default")
  func findWithDefaults() throws {
    let words = try tensorTable(.dtString, .dtInt64).run(
      ["find", "size"],
      feeds: [
        "keys": strings(["a", "b", "héllo", ""]), "values": int64s([1, 2, 3, 4]),
        "query": strings(["héllo", "x", "", "A"]), "default": Tensor(int64: [-1], shape: []),
      ])
    #expect(words[0] == [int64s([3, -1, 4, -1])])
    #expect(words[1] == [Tensor(int64: [4], shape: [])])

    let ids = try tensorTable(.dtInt64, .dtString).run(
      ["find"],
      feeds: [
        "keys": int64s([7, 9]), "values": strings(["seven", "nine"]),
        "query": Tensor(int64: [9, 8, 7, 7], shape: [2, 2]), "default": Tensor(strings: ["?"], shape: []),
      ])
    #expect(ids[0] == [Tensor(strings: ["nine", "?", "seven", "seven"], shape: [2, 2])])

    let reals = try tensorTable(.dtFloat, .dtDouble).run(
      ["find"],
      feeds: [
        "keys": Tensor(float32: [0, 1.5], shape: [2]), "values": Tensor(float64: [10, 20], shape: [2]),
        "query": Tensor(float32: [-0.0, 1.5, .nan], shape: [3]), "default": Tensor(float64: [-1], shape: []),
      ])
    #expect(reals[0] == [Tensor(float64: [10, 20, -1], shape: [3])])

    let int32s = try tensorTable(.dtInt32, .dtFloat).run(
      ["find"],
      feeds: [
        "keys": Tensor(int32: [1, 2], shape: [2]), "values": Tensor(float32: [0.5, 0.25], shape: [2]),
        "query": Tensor(int32: [2, 3], shape: [2]), "default": Tensor(float32: [0], shape: []),
      ])
    #expect(int32s[0] == [Tensor(float32: [0.25, 0], shape: [2])])
  }

  @Test("a static table uses the first default even when one default per key is given")
  func staticTableDefault() throws {
    let result = try tensorTable(.dtString, .dtInt64).run(
      ["find"],
      feeds: [
        "keys": strings(["a"]), "values": int64s([1]), "query": strings(["x", "a", "y"]), "default": int64s([7, 8, 9]),
      ])
    #expect(result[0] == [int64s([7, 1, 7])])
  }

  @Test("bad lookups and initializations fail with TensorFlow's reasons")
  func failures() throws {
    func message(_ graph: GraphHarness, _ targets: [String], _ feeds: [String: Tensor]) -> String {
      do {
        _ = try graph.run(targets, feeds: feeds)
        return "no error"
      } catch let error as InferenceError {
        return error.message
      } catch {
        return "\(error)"
      }
    }
    let table = tensorTable(.dtString, .dtInt64)
    let good: [String: Tensor] = [
      "keys": strings(["a", "b"]), "values": int64s([1, 2]), "query": strings(["a"]),
      "default": Tensor(int64: [0], shape: []),
    ]
    var duplicate = good
    duplicate["keys"] = strings(["a", "a"])
    #expect(
      message(table, ["find"], duplicate).contains(
        "HashTable has different value for same key. Key a has 1 and trying to add value 2"))
    var wrongKey = good
    wrongKey["query"] = int64s([1])
    #expect(message(table, ["find"], wrongKey).contains("key must be type string but got int64"))
    var wrongDefault = good
    wrongDefault["default"] = int64s([1, 2])
    #expect(message(table, ["find"], wrongDefault).contains("expected shape [] or [1] for default value, got [2]"))

    var uninitialized = GraphHarness()
    for name in ["query", "default"] { uninitialized.add(name, "Placeholder") }
    uninitialized.add(
      "table", "HashTableV2", [], ["key_dtype": H.attribute(.dtString), "value_dtype": H.attribute(.dtInt64)])
    uninitialized.add("find", "LookupTableFindV2", ["table", "query", "default"])
    let text = message(uninitialized, ["find"], ["query": strings(["a"]), "default": Tensor(int64: [0], shape: [])])
    #expect(text.contains("graph: LookupTableFindV2 \"find\": table not initialized"), "\(text)")
  }

  /// A string-to-id table filled from `vocab.txt` (whole line to line number + offset).
  func vocabularyTable(
    _ contents: String?, vocabSize: Int = -1, offset: Int = 0, keyIndex: Int = -2, valueIndex: Int = -1,
    delimiter: String = "\t"
  ) -> GraphHarness {
    var graph = GraphHarness()
    graph.readFile = { path throws(InferenceError) in
      guard path == "/model/assets/vocab.txt", let contents else {
        throw InferenceError(.invalidArgument, "cannot read \"\(path)\": no such file")
      }
      return Array(contents.utf8)
    }
    for name in ["path", "query", "default"] { graph.add(name, "Placeholder") }
    graph.add(
      "table", "HashTableV2", [],
      ["key_dtype": H.attribute(.dtString), "value_dtype": H.attribute(.dtInt64), "shared_name": H.attribute("vocab")])
    graph.add(
      "init", "InitializeTableFromTextFileV2", ["table", "path"],
      [
        "key_index": H.attribute(keyIndex), "value_index": H.attribute(valueIndex),
        "vocab_size": H.attribute(vocabSize),
        "offset": H.attribute(offset), "delimiter": H.attribute(delimiter),
      ])
    graph.add("find", "LookupTableFindV2", ["table", "query", "default", "^init"])
    return graph
  }

  func lookUp(_ graph: GraphHarness, _ words: [String]) throws -> Tensor {
    let result = try graph.run(
      ["find"],
      feeds: [
        "path": Tensor(strings: ["/model/assets/vocab.txt"], shape: []), "query": strings(words),
        "default": Tensor(int64: [-1], shape: []),
      ])
    return try #require(result.first?.first)
  }

  @Test("vocabulary files: with or without a final newline, CRLF, truncation, offsets, columns")
  func vocabularyFiles() throws {
    let words = ["the", "fox", "dog", "", "cat"]
    #expect(try lookUp(vocabularyTable("the\nfox\ndog\n"), words) == int64s([0, 1, 2, -1, -1]))
    #expect(try lookUp(vocabularyTable("the\nfox\ndog"), words) == int64s([0, 1, 2, -1, -1]))
    #expect(try lookUp(vocabularyTable("the\r\nfox\r\ndog\r\n"), words) == int64s([0, 1, 2, -1, -1]))
    #expect(try lookUp(vocabularyTable("the\nfox\ndog\n", vocabSize: 2), words) == int64s([0, 1, -1, -1, -1]))
    #expect(try lookUp(vocabularyTable("the\nfox\ndog\n", offset: 2), words) == int64s([2, 3, 4, -1, -1]))
    #expect(
      try lookUp(vocabularyTable("9\tthe\n7\tcat\n", keyIndex: 1, valueIndex: 0), words) == int64s([9, -1, -1, -1, 7]))
    #expect(
      try lookUp(vocabularyTable("the fox 5\ncat dog 6\n", keyIndex: 1, valueIndex: 2, delimiter: " "), words)
        == int64s([-1, 5, 6, -1, -1]))
  }

  @Test("vocabulary problems fail naming the file and the problem")
  func vocabularyFailures() {
    func failure(_ graph: GraphHarness) -> String {
      do {
        _ = try lookUp(graph, ["a"])
        return "no error"
      } catch let error as InferenceError {
        return error.message
      } catch {
        return "\(error)"
      }
    }
    let path = "/model/assets/vocab.txt"
    #expect(
      failure(vocabularyTable(nil))
        == "graph: InitializeTableFromTextFileV2 \"init\": cannot read \"\(path)\": no such file")
    #expect(failure(vocabularyTable("a\n\nb\n")).contains("invalid content in \(path): empty line found at position 3"))
    #expect(
      failure(vocabularyTable("a\nb\n", vocabSize: 5)).contains("invalid vocab_size in \(path): expected 5 but got 2"))
    #expect(
      failure(vocabularyTable("a\nb\na\n")).contains(
        "HashTable has different value for same key. Key a has 0 and trying to add value 2"))
    #expect(failure(vocabularyTable("")).contains("\(path) is empty"))
    #expect(
      failure(vocabularyTable("x\t1\ny\n", keyIndex: 0, valueIndex: 1)).contains(
        "invalid number of columns in \(path) line 1 (y): expected at least 2 got 1"))
    #expect(
      failure(vocabularyTable("x\tone\n", keyIndex: 0, valueIndex: 1)).contains(
        "field one in line 0 is not a valid int64"))
  }

  @Test("a table created under one shared name in the graph and in a function is one table")
  func sharedAcrossFunctions() throws {
    var graph = GraphHarness()
    for name in ["keys", "values", "query", "default"] { graph.add(name, "Placeholder") }
    let attributes = [
      "key_dtype": H.attribute(.dtString), "value_dtype": H.attribute(.dtInt64), "shared_name": H.attribute("shared"),
    ]
    graph.add("table", "HashTableV2", [], attributes)
    graph.add("init", "InitializeTableV2", ["table", "keys", "values"])
    // The function creates its own handle by name, as `_create_resource` functions do.
    var lookup = Tensorflow_FunctionDef()
    lookup.signature.name = "lookup_fn"
    lookup.signature.inputArg = [argument("query", .dtString), argument("default", .dtInt64)]
    lookup.signature.outputArg = [argument("ids", .dtInt64)]
    lookup.nodeDef = [
      H.node("inner_table", "HashTableV2", [], attributes),
      H.node("find", "LookupTableFindV2", ["inner_table:table_handle:0", "query", "default"]),
    ]
    lookup.ret = ["ids": "find:values:0"]
    graph.functions = [lookup]
    graph.add(
      "call", "StatefulPartitionedCall", ["query", "default", "^init"], ["f": H.attribute(function: "lookup_fn")])
    let result = try graph.run(
      ["call"],
      feeds: [
        "keys": strings(["a", "b"]), "values": int64s([5, 6]), "query": strings(["b", "c"]),
        "default": Tensor(int64: [0], shape: []),
      ])
    #expect(result[0] == [int64s([6, 0])])
  }

  func argument(_ name: String, _ type: Tensorflow_DataType) -> Tensorflow_OpDef.ArgDef {
    var argument = Tensorflow_OpDef.ArgDef()
    argument.name = name
    argument.type = type
    return argument
  }

  @Test("mutable tables insert, replace, remove, import and export")
  func mutableTables() throws {
    var graph = GraphHarness()
    for name in ["keys", "values", "more_keys", "more_values", "gone", "query", "default"] {
      graph.add(name, "Placeholder")
    }
    graph.add(
      "table", "MutableHashTableV2", [],
      [
        "key_dtype": H.attribute(.dtString), "value_dtype": H.attribute(.dtFloat),
        "use_node_name_sharing": H.attribute(true),
      ])
    graph.add("insert", "LookupTableInsertV2", ["table", "keys", "values"])
    graph.add("insert_more", "LookupTableInsertV2", ["table", "more_keys", "more_values", "^insert"])
    graph.add("remove", "LookupTableRemoveV2", ["table", "gone", "^insert_more"])
    graph.add("find", "LookupTableFindV2", ["table", "query", "default", "^remove"])
    graph.add("size", "LookupTableSizeV2", ["table", "^remove"])
    graph.add("export", "LookupTableExportV2", ["table", "^remove"])
    graph.add("import", "LookupTableImportV2", ["table", "keys", "values", "^find", "^export"])
    graph.add("size_after", "LookupTableSizeV2", ["table", "^import"])
    let prepared = try graph.runtime()
    let result = try graph.run(
      ["find", "size", "export", "size_after"],
      feeds: [
        "keys": strings(["b", "a"]), "values": Tensor(float32: [2, 1], shape: [2]), "more_keys": strings(["c", "a"]),
        "more_values": Tensor(float32: [3, 10], shape: [2]), "gone": strings(["b", "zzz"]),
        "query": strings(["a", "b", "c"]),
        "default": Tensor(float32: [-1, -2, -3], shape: [3]),
      ], on: prepared)
    #expect(result[0] == [Tensor(float32: [10, -2, 3], shape: [3])])
    #expect(result[1] == [Tensor(int64: [2], shape: [])])
    #expect(result[2] == [strings(["a", "c"]), Tensor(float32: [10, 3], shape: [2])])
    #expect(result[3] == [Tensor(int64: [2], shape: [])])
  }

  @Test("a loaded model reads its vocabulary through the reader it is given")
  func injectedReader() throws {
    let directory = ConformanceTests.root.appendingPathComponent("string_lookup/model")
    let model = try LoadedModel(directory: directory) { path throws(InferenceError) in
      guard path.hasSuffix("/assets/vocab.txt") else { throw InferenceError(.invalidArgument, "unexpected \(path)") }
      return Array("zebra\nfox\n".utf8)
    }
    let ids = try model.run(inputs: ["words": strings(["fox", "zebra", "the"])])
    #expect(ids["ids"] == int64s([1, 0, -1]))
  }

  @Test("a model whose vocabulary file is missing fails to load, naming the file")
  func missingAsset() throws {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("no-assets-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: copy) }
    try FileManager.default.copyItem(at: ConformanceTests.root.appendingPathComponent("string_lookup/model"), to: copy)
    try FileManager.default.removeItem(at: copy.appendingPathComponent("assets/vocab.txt"))
    do {
      _ = try LoadedModel(directory: copy)
      Issue.record("loaded without its vocabulary")
    } catch {
      #expect(error.message.contains("InitializeTableFromTextFileV2"), "\(error.message)")
      #expect(
        error.message.contains("cannot read \"\(copy.path)/assets/vocab.txt\": cannot read: No such file"),
        "\(error.message)")
    }
  }
}

/// A graph is untrusted input: neither its asset list nor a file-reading op may reach files
/// outside the model's `assets/` directory.
@Suite("asset files stay inside the model")
struct AssetContainmentTests {
  @Test("only relative paths inside assets/ are accepted")
  func containedPaths() {
    for good in ["vocab.txt", "sub/vocab.txt", "a..b"] { #expect(AssetPath.contained(good) == good) }
    for bad in ["", "/etc/hostname", "../../../../etc/hostname", "a/../../b", "./x", "a//b", "a/", "a\u{0}b"] {
      #expect(AssetPath.contained(bad) == nil, "\(bad)")
    }
  }

  @Test("a directory model's reader refuses paths outside assets/, and symlinks inside it")
  func readerRefusesEscapes() throws {
    let model = try Repository.Fixtures.scratchCopy("string_lookup")
    let read = AssetFiles.reader(for: DirectorySource(model))
    for path in ["/etc/hostname", model.path + "/assets/../saved_model.pb", model.path + "/saved_model.pb"] {
      #expect(throws: InferenceError.self, "\(path)") { _ = try read(path) }
    }
    let assets = try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("assets").path)
    let vocabulary = try #require(assets.first)
    #expect(try !read(model.path + "/assets/" + vocabulary).isEmpty)
    try FileManager.default.createSymbolicLink(
      atPath: model.appendingPathComponent("assets/link.txt").path, withDestinationPath: "/etc/hostname")
    #expect(throws: InferenceError.self) { _ = try read(model.path + "/assets/link.txt") }
  }
}
