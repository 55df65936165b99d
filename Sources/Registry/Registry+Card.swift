import Catalog
import ContentStore
import FileSystem
import Foundation

/// A version's model card: Markdown stored as an object, referenced from the catalog.
public struct ModelCard: Sendable, Codable, Equatable {
  public let reference: String
  public let digest: String
  public let updatedAt: String
  public let markdown: String
}

extension Registry {
  /// Stores the Markdown file at `file` as the card of a version.
  ///
  /// Only a regular file is read (a FIFO or device is refused, not waited on), and its size is
  /// checked against `Limits.cardBytes` before anything is allocated.
  public func setCard(_ reference: Reference, file: URL, limits: Limits = .current) throws(RegistryError) -> ModelCard {
    _ = try resolve(reference)  // an unknown version is the first thing to say
    let bytes: [UInt8]
    do {
      let (descriptor, status) = try FileSystem.openForReading(file.path)
      defer { FileSystem.close(descriptor) }
      do {
        try Limits.check("model card \(file.path)", status.size, against: limits.cardBytes, limit: "CARD_BYTES")
      } catch {
        throw RegistryError(error)
      }
      bytes = try FileSystem.readExactly(descriptor, count: Int(status.size), at: 0, path: file.path)
    } catch let error as RegistryError {
      throw error
    } catch let error as FileSystemError {
      throw RegistryError(error)
    } catch {
      throw RegistryError(.internal, "reading \(file.path): \(error)")
    }
    return try setCard(reference, markdown: bytes, limits: limits)
  }

  /// Stores `markdown` as the card of a version, replacing any earlier card (the old object
  /// becomes garbage unless another version's card shares it).
  ///
  /// - Throws: `RegistryError` `invalidArgument` for text that is not UTF-8, `resourceExhausted`
  ///   past `Limits.cardBytes`, `notFound` for an unknown version.
  public func setCard(_ reference: Reference, markdown bytes: [UInt8], limits: Limits = .current) throws(RegistryError)
    -> ModelCard
  {
    let text = try Self.checkCard(bytes, limits: limits)
    let version = try resolve(reference)
    let object = try storeCard(bytes)
    do {
      try catalog.setCard(
        version.id, digest: object.digest, size: object.size, storedSize: object.storedSize,
        encoding: object.encoding, actor: Self.actor)
    } catch {
      throw RegistryError(error)
    }
    return ModelCard(reference: version.reference, digest: object.digest.description, updatedAt: "", markdown: text)
  }

  /// Checks that `bytes` can be a model card: at most `limits.cardBytes`, and UTF-8 text.
  ///
  /// - Parameter subject: what the bytes are, for the message (`model card`, or the layer
  ///   an import read them from).
  /// - Returns: the text.
  /// - Throws: `RegistryError` `resourceExhausted` past `Limits.cardBytes`, `invalidArgument`
  ///   for bytes that are not UTF-8.
  public static func checkCard(_ bytes: [UInt8], subject: String = "model card", limits: Limits = .current)
    throws(RegistryError) -> String
  {
    do {
      try Limits.check(subject, Int64(bytes.count), against: limits.cardBytes, limit: "CARD_BYTES")
    } catch {
      throw RegistryError(error)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw RegistryError(.invalidArgument, "\(subject) is not UTF-8 text")
    }
    return text
  }

  /// Stores card Markdown as an object, durable and visible, and returns it as the catalog
  /// records it. The caller records it (in the same breath: until then `gc` may take it after
  /// the grace period, like any object nobody references).
  func storeCard(_ bytes: [UInt8]) throws(RegistryError) -> NewVersion.Card.Object {
    do {
      let batch = try objects.makeBatch()
      let staged: IngestBatch.Staged
      do {
        staged = try bytes.withUnsafeBytes { buffer throws(StoreError) in try batch.stage(buffer) }
        try batch.commit()
      } catch {
        batch.abort()
        throw error
      }
      // An object the store already had keeps its recorded encoding and size on disk.
      let stored =
        staged.isNew
        ? (encoding: staged.encoding, storedSize: staged.storedSize)
        : try { () throws(StoreError) in
          let info = try objects.storedInfo(staged.digest)
          return (info.encoding, info.storedSize)
        }()
      return NewVersion.Card.Object(
        digest: staged.digest, size: staged.size, storedSize: stored.storedSize, encoding: stored.encoding.name)
    } catch {
      throw RegistryError.wrap(error)
    }
  }

  /// The card of a version, or `nil` when it has none.
  ///
  /// - Throws: `RegistryError` `notFound` for an unknown version; the store's error when the
  ///   card object is missing or damaged.
  public func card(_ reference: Reference) throws(RegistryError) -> ModelCard? {
    let version = try resolve(reference)
    do {
      guard let card = try catalog.card(of: version.id) else { return nil }
      let bytes = try objects.read(card.digest)
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw RegistryError(.corrupted, "the model card of \(version.reference) (\(card.digest)) is not UTF-8 text")
      }
      return ModelCard(
        reference: version.reference, digest: card.digest.description, updatedAt: card.updatedAt, markdown: text)
    } catch let error as RegistryError {
      throw error
    } catch let error as StoreError {
      throw RegistryError(error)
    } catch let error as CatalogError {
      throw RegistryError(error)
    } catch {
      throw RegistryError(.internal, "reading the model card: \(error)")
    }
  }
}
