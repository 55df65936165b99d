import Foundation
import Registry
import RegistryTestSupport
import Testing

@Suite("Model cards")
struct CardTests {
  let registry: Registry
  let reference = Reference(model: "mlp", selector: .number(1))

  init() throws {
    registry = try TestSupport.newRegistry()
    _ = try registry.push(TestSupport.model("finetune_base"), PushOptions(model: "mlp"))
  }

  @Test("a card is stored as an object, read back, replaced, and logged")
  func roundTrip() throws {
    #expect(try registry.card(reference) == nil)
    let first = try registry.setCard(reference, markdown: Array("# One\n".utf8))
    #expect(try registry.card(reference)?.markdown == "# One\n")
    #expect(try registry.card(reference)?.digest == first.digest)
    _ = try registry.setCard(reference, markdown: Array("# Two\n".utf8))
    #expect(try registry.card(Reference(model: "mlp", selector: .latest))?.markdown == "# Two\n")
    #expect(try registry.events(model: "mlp", limit: 10).filter { $0.action == "card.set" }.count == 2)
  }

  @Test("gc keeps the card of a live version, and fsck counts it as referenced")
  func keptByCollector() throws {
    let card = try registry.setCard(reference, markdown: Array("# Kept\n".utf8))
    var options = CollectionOptions()
    options.grace = 0
    let report = try registry.collect(options)
    #expect(!report.objectsDeleted.contains(card.digest))
    #expect(try registry.card(reference)?.markdown == "# Kept\n")
    let check = try registry.fsck(repair: false)
    #expect(check.isClean && check.orphans == 0, "\(check)")
  }

  @Test("a card of a removed version becomes garbage")
  func collectedWithVersion() throws {
    let card = try registry.setCard(reference, markdown: Array("# Gone soon\n".utf8))
    _ = try registry.remove(reference)
    // Objects younger than the grace period are kept whatever references them: age them all.
    for object in try registry.objects.walk() {
      let path = registry.objects.path(for: object.digest)
      let old = Date().addingTimeInterval(-7200)
      try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
    }
    var options = CollectionOptions()
    options.grace = 60
    #expect(try registry.collect(options).objectsDeleted.contains(card.digest))
  }

  @Test("oversized, non-UTF-8 and special-file cards are refused and change nothing")
  func refused() throws {
    var limits = Limits()
    limits.cardBytes = 8
    #expect(throws: RegistryError.self) {
      try registry.setCard(reference, markdown: Array(repeating: 65, count: 9), limits: limits)
    }
    do {
      _ = try registry.setCard(reference, markdown: Array(repeating: 65, count: 9), limits: limits)
    } catch {
      #expect(error.category == .resourceExhausted && error.message.contains("CARD_BYTES"))
    }
    do {
      _ = try registry.setCard(reference, markdown: [0x23, 0xFF, 0xFE])
      Issue.record("non-UTF-8 accepted")
    } catch {
      #expect(error.category == .invalidArgument)
    }
    do {
      _ = try registry.setCard(reference, file: URL(fileURLWithPath: "/dev/null"))
      Issue.record("a device accepted")
    } catch {
      #expect(error.category != .internal)
    }
    do {
      _ = try registry.setCard(Reference(model: "mlp", selector: .number(7)), markdown: Array("x".utf8))
      Issue.record("unknown version accepted")
    } catch {
      #expect(error.category == .notFound)
    }
    #expect(try registry.card(reference) == nil)
  }
}
