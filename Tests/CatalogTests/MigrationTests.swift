import Catalog
import Foundation
import Testing

@Suite("Catalog migrations")
struct MigrationTests {
  static let migrationsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("migrations")

  @Test("the embedded migrations are exactly the files in migrations/, in order")
  func embeddedMatchesFiles() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.migrationsDirectory.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files.map { String($0.dropLast(4)) } == Catalog.migrationIdentifiers)
    for file in files {
      let text = try String(contentsOf: Self.migrationsDirectory.appendingPathComponent(file), encoding: .utf8)
      #expect(
        Catalog.embeddedMigrationSQL[String(file.dropLast(4))] == text,
        "\(file) differs; run Scripts/embed-migrations.sh")
    }
    #expect(files.allSatisfy { $0.range(of: #"^v\d{4}_[a-z0-9_]+\.sql$"#, options: .regularExpression) != nil })
  }

  @Test("an empty database migrates step by step through every migration")
  func stepByStep() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID()).sqlite")
    var applied: [String] = []
    for identifier in Catalog.migrationIdentifiers {
      applied.append(identifier)
      #expect(try Catalog.migrate(path, upTo: identifier) == applied)
    }
    // Opening the fully migrated database applies nothing more and works.
    let catalog = try Catalog(path: path)
    #expect(try catalog.models().isEmpty)
  }
}
