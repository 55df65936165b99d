import Foundation
import RegistryTestSupport
import Testing

@testable import Inference

/// `registry ops` and docs/ops.md come from the op registry joined with `OpManifest`; these keep
/// the three in step.
@Suite("op coverage")
struct OpCoverageTests {
  @Test("every registered op has a manifest entry, and every entry a kernel")
  func manifestMatchesRegistry() {
    let registered = Set(OpCatalog.registry.names.filter { !$0.hasPrefix("_") })
    let described = Set(OpManifest.entries.keys)
    #expect(registered.count > 150, "the registry lost ops: \(registered.count)")
    #expect(registered.subtracting(described).sorted() == [], "ops with a kernel but no manifest entry")
    #expect(described.subtracting(registered).sorted() == [], "manifest entries without a kernel")
    #expect(OpCoverage.supported.map(\.name) == registered.sorted())
    #expect(OpCoverage.supported.allSatisfy { $0.dtypes != "undocumented" })
  }

  @Test("no op is both supported and refused; every refusal says why")
  func refusedListIsHonest() {
    let supported = Set(OpCoverage.supported.map(\.name))
    #expect(!OpCoverage.refused.isEmpty)
    for op in OpCoverage.refused {
      #expect(!supported.contains(op.name), "\(op.name) is registered but listed as refused")
      #expect(op.reason.count > 10, "\(op.name) is refused without a reason")
    }
  }

  @Test("lookup finds supported and refused ops and nothing else")
  func lookup() {
    guard case .supported(let conv) = OpCoverage.lookup("Conv2D") else {
      Issue.record("Conv2D is not supported")
      return
    }
    #expect(conv.attributes.contains("dilations"))
    guard case .refused(let random) = OpCoverage.lookup("RandomUniform") else {
      Issue.record("RandomUniform is not on the refused list")
      return
    }
    #expect(random.reason.contains("stateful"))
    guard case .supported(let rfft) = OpCoverage.lookup("RFFT") else {
      Issue.record("RFFT is not supported")
      return
    }
    #expect(rfft.attributes.contains("Tcomplex"))
    #expect(OpCoverage.lookup("NoSuchOp") == nil)
  }

  @Test("docs/ops.md is the generated page (Scripts/make-ops-doc.sh rewrites it)")
  func generatedPageIsCurrent() throws {
    let page = try String(contentsOf: try Repository.path("docs/ops.md"), encoding: .utf8)
    #expect(page == OpCoverage.markdown(), "docs/ops.md is stale: run Scripts/make-ops-doc.sh")
  }
}
