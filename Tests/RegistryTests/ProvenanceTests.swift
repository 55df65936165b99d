import Catalog
import Foundation
import RegistryCore
import Testing

@testable import Registry

@Suite("provenance: aliases, diff, lineage, identify, queries, events")
struct ProvenanceTests {
  /// mlp:1 base, mlp:2 head fine-tune (parent mlp:1), seq:1 an LSTM.
  func populated() throws -> Registry {
    let registry = try TestSupport.newRegistry()
    var base = PushOptions(model: "mlp")
    base.metadata = ["team": "search", "stage": "dev"]
    base.message = "base"
    _ = try registry.push(TestSupport.model("finetune_base"), base)
    var head = PushOptions(model: "mlp")
    head.parent = try Reference(parsing: "mlp:1")
    head.metadata = ["team": "search"]
    _ = try registry.push(TestSupport.model("finetune_head"), head)
    _ = try registry.push(TestSupport.model("lstm"), PushOptions(model: "seq"))
    return registry
  }

  @Test("an alias moves between compatible versions, refuses an incompatible one, and --force overrides")
  func aliasCompatibility() throws {
    let registry = try populated()
    #expect(try registry.setAlias("prod", model: "mlp", version: 1, force: false).previous == nil)
    #expect(try registry.setAlias("prod", model: "mlp", version: 2, force: false).previous == 1)
    // Make mlp:3 an LSTM: its serving signature takes other inputs.
    _ = try registry.push(TestSupport.model("lstm"), PushOptions(model: "mlp"))
    do {
      _ = try registry.setAlias("prod", model: "mlp", version: 3, force: false)
      Issue.record("an incompatible alias move was allowed")
    } catch {
      #expect(error.category == .failedPrecondition)
      #expect(error.message.contains("input features removed"), "\(error)")
    }
    #expect(try registry.resolve(Reference(parsing: "mlp@prod")).number == 2)
    let forced = try registry.setAlias("prod", model: "mlp", version: 3, force: true)
    #expect(forced.previous == 2 && !forced.overridden.isEmpty)
    #expect(try registry.resolve(Reference(parsing: "mlp@prod")).number == 3)
    try registry.removeAlias("prod", model: "mlp")
    #expect(throws: RegistryError.self) { _ = try registry.resolve(Reference(parsing: "mlp@prod")) }
  }

  @Test("shape rules: unknown dimensions accept any size, known ones only themselves")
  func shapeRules() {
    #expect(Registry.shapeAccepts([-1, 6], [4, 6]))
    #expect(!Registry.shapeAccepts([4, 6], [-1, 6]))
    #expect(!Registry.shapeAccepts([-1, 6], [-1, 6, 1]))
    #expect(Registry.shapeAccepts(nil, [3]))
    #expect(!Registry.shapeAccepts([3], nil))
  }

  @Test("the fine-tune diff names exactly the head tensors as changed, with a numeric summary")
  func fineTuneDiff() throws {
    let registry = try populated()
    let diff = try registry.diff(Reference(parsing: "mlp:1"), Reference(parsing: "mlp:2"))
    let facts =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: TestSupport.fixtures.appendingPathComponent("finetune_head/reference/facts.json")))
      as? [String: Any]
    let expected = (facts?["changed_variables"] as? [String] ?? []).sorted()
    #expect(!expected.isEmpty)
    #expect(diff.tensorsChanged.map(\.name).sorted() == expected)
    #expect(diff.tensorsAdded.isEmpty && diff.tensorsRemoved.isEmpty)
    #expect(diff.signatures.isEmpty && diff.opsAdded.isEmpty && diff.opsRemoved.isEmpty)
    for change in diff.tensorsChanged {
      #expect((change.maxAbsDifference ?? 0) > 0)
      #expect((change.elementsChanged ?? 0) > 0)
    }
    #expect(diff.files.map(\.path).contains("variables/variables.data-00000-of-00001"))
    #expect(diff.bytesAdded > 0)
    let none = try registry.diff(Reference(parsing: "mlp:2"), Reference(parsing: "mlp:2"))
    #expect(none.isEmpty && none.bytesAdded == 0)
    let other = try registry.diff(Reference(parsing: "mlp:1"), Reference(parsing: "seq:1"))
    #expect(other.signatures.contains { $0.key == "serving_default" && $0.change == "changed" })
    #expect(other.opsAdded.contains("While"))
  }

  @Test("lineage walks ancestors and descendants; --parent auto picks the closest version")
  func lineage() throws {
    let registry = try populated()
    var options = PushOptions(model: "mlp")
    options.inferParent = true
    options.message = "another fine-tune"
    let copy = try TestSupport.copy("finetune_head")
    try Data("{}".utf8).write(to: copy.appendingPathComponent("assets/notes.json"))
    let third = try registry.push(copy, options)
    #expect(third.parent == "mlp:2")
    let line = try registry.lineage(Reference(parsing: "mlp:3"))
    #expect(line.ancestors.map(\.reference) == ["mlp:2", "mlp:1"])
    let root = try registry.lineage(Reference(parsing: "mlp:1"))
    #expect(root.descendants.map { "\($0.depth) \($0.version.reference)" } == ["1 mlp:2", "2 mlp:3"])
    #expect(try registry.history("mlp").map(\.version.number) == [1, 2, 3])
  }

  @Test("identify finds an identical version, and the closest ones for a changed copy")
  func identify() throws {
    let registry = try populated()
    let same = try registry.identify(TestSupport.model("finetune_head"))
    #expect(same.identical == ["mlp:2"])
    #expect(same.sameFingerprint == ["mlp:2"])
    let copy = try TestSupport.copy("finetune_head")
    try Data("extra".utf8).write(to: copy.appendingPathComponent("assets/extra.txt"))
    let changed = try registry.identify(copy)
    #expect(changed.identical.isEmpty)
    #expect(changed.closest.first?.reference == "mlp:2")
    #expect((changed.closest.first?.sharedFraction ?? 0) > 0.9)
  }

  @Test("queries combine criteria with AND or OR and values with IN")
  func queries() throws {
    let registry = try populated()
    var query = VersionQuery()
    query.metadata = ["team=search"]
    #expect(try registry.query(query).map(\.reference) == ["mlp:1", "mlp:2"])
    query.metadata = ["stage"]
    #expect(try registry.query(query).map(\.reference) == ["mlp:1"])
    query = VersionQuery()
    query.ops = ["While"]
    #expect(try registry.query(query).map(\.reference) == ["seq:1"])
    query.metadata = ["stage=dev"]
    #expect(try registry.query(query).isEmpty)
    query.matchAll = false
    #expect(try registry.query(query).map(\.reference) == ["mlp:1", "seq:1"])
    query = VersionQuery()
    query.models = ["mlp", "seq"]
    query.inputDtypes = ["DT_FLOAT"]
    #expect(try registry.query(query).count == 3)
    let tensors = try registry.catalog.tensors(of: try registry.resolve(Reference(parsing: "mlp:1")).id)
    let frozen = try #require(tensors.first { $0.name.hasPrefix("layer_with_weights-0/kernel") }?.digest)
    query = VersionQuery()
    query.digests = [frozen.description]
    #expect(try registry.query(query).map(\.reference) == ["mlp:1", "mlp:2"])
  }

  @Test("read-only SQL reads and cannot write")
  func sql() throws {
    let registry = try populated()
    let result = try registry.sql("SELECT name FROM models ORDER BY name")
    #expect(result.columns == ["name"] && result.rows == [["mlp"], ["seq"]])
    for statement in [
      "DELETE FROM models", "DROP TABLE versions", "UPDATE versions SET number = 9", "PRAGMA journal_mode=DELETE",
    ] {
      #expect(throws: RegistryError.self, "\(statement)") { _ = try registry.sql(statement) }
    }
    #expect(try registry.models().count == 2)
  }

  @Test("pushes, alias moves and metadata changes are in the event log")
  func events() throws {
    let registry = try populated()
    _ = try registry.setAlias("prod", model: "mlp", version: 2, force: false)
    try registry.setMetadata(Reference(parsing: "mlp:2"), key: "approved", value: "yes")
    try registry.removeMetadata(Reference(parsing: "mlp:1"), key: "stage")
    #expect(throws: RegistryError.self) { try registry.removeMetadata(Reference(parsing: "mlp:1"), key: "stage") }
    let actions = try registry.events(model: "mlp", limit: 10).map(\.action)
    #expect(actions == ["meta.rm", "meta.set", "alias.set", "push", "push"])
    #expect(try registry.detail(Reference(parsing: "mlp:2")).metadata == ["team": "search", "approved": "yes"])
  }
}

@Suite("names")
struct NameTests {
  @Test("model names refuse path tricks in any part; team/model namespaces stay valid")
  func modelNames() throws {
    for good in ["mlp", "team/mlp", "a.b_c-d/e1", "9lives", "org/team/model.v2"] {
      #expect(throws: Never.self) { try Reference.validateModelName(good) }
    }
    for bad in [
      "a/../b", "a/./b", "../b", "a/..", "a/.hidden", "a/-flag", "-x", "a//b", "a/", "", "é", "a b", "a\u{1B}b",
    ] {
      #expect(throws: RegistryError.self, "\(bad)") { try Reference.validateModelName(bad) }
    }
  }
}
