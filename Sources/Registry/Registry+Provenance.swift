import Catalog
import ContentStore
import Foundation
import SavedModelFormat

/// A serving-signature difference that would break callers of an alias.
public struct SignatureIncompatibility: Sendable, Codable, Equatable, CustomStringConvertible {
  public let signature: String
  public let problem: String
  public var description: String { "\(signature): \(problem)" }
}

extension Registry {
  // MARK: - Aliases

  /// Points `NAME@ALIAS` at `NAME:version`. When the alias already points somewhere, the new
  /// target's serving signatures must accept every call the old one did (same inputs and outputs,
  /// same dtypes, shapes no narrower), unless `force`.
  ///
  /// - Returns: the previous target's number and the incompatibilities that `force` overrode.
  public func setAlias(_ alias: String, model: String, version number: Int, force: Bool) throws(RegistryError)
    -> (previous: Int?, overridden: [SignatureIncompatibility])
  {
    try Reference.validateModelName(model)
    try Reference.validateAlias(alias)
    let target = try resolve(Reference(model: model, selector: .number(number)))
    var problems: [SignatureIncompatibility] = []
    if let current = try? resolve(Reference(model: model, selector: .alias(alias))), current.id != target.id {
      problems = try signatureIncompatibilities(from: current, to: target)
      if !problems.isEmpty && !force {
        throw RegistryError(
          .failedPrecondition,
          "refusing to move \(model)@\(alias) from \(current.reference) to \(target.reference): its serving signatures are incompatible (\(problems.map(\.description).joined(separator: "; "))); pass --force to move it anyway"
        )
      }
    }
    do {
      let previous = try catalog.setAlias(alias, model: model, to: target.id, actor: Self.actor)
      return (previous, problems)
    } catch {
      throw RegistryError(error)
    }
  }

  public func removeAlias(_ alias: String, model: String) throws(RegistryError) {
    do { try catalog.removeAlias(alias, model: model, actor: Self.actor) } catch { throw RegistryError(error) }
  }

  /// What would break for a caller of `old` that is sent to `new` instead, by serving signature
  /// (keys starting with `__` are TensorFlow's own and ignored).
  public func signatureIncompatibilities(from old: VersionSummary, to new: VersionSummary) throws(RegistryError)
    -> [SignatureIncompatibility]
  {
    let before = try detail(old.id).signatures.filter { !$0.key.hasPrefix("__") }
    let after = try detail(new.id).signatures.filter { !$0.key.hasPrefix("__") }
    var problems: [SignatureIncompatibility] = []
    for signature in before {
      guard let replacement = after.first(where: { $0.key == signature.key && $0.metaGraph == signature.metaGraph })
      else {
        problems.append(.init(signature: signature.key, problem: "removed"))
        continue
      }
      func check(
        _ kind: String, _ old: [VersionDetail.SignatureTensor], _ new: [VersionDetail.SignatureTensor], inputs: Bool
      ) {
        for tensor in old {
          guard let other = new.first(where: { $0.name == tensor.name }) else {
            problems.append(.init(signature: signature.key, problem: "\(kind) \(tensor.name) removed"))
            continue
          }
          if other.dtype != tensor.dtype {
            problems.append(
              .init(signature: signature.key, problem: "\(kind) \(tensor.name) dtype \(tensor.dtype) -> \(other.dtype)")
            )
          } else if !Self.shapeAccepts(inputs ? other.shape : tensor.shape, inputs ? tensor.shape : other.shape) {
            problems.append(
              .init(
                signature: signature.key,
                problem: "\(kind) \(tensor.name) shape \(describeShape(tensor.shape)) -> \(describeShape(other.shape))")
            )
          }
        }
      }
      check("input", signature.inputs, replacement.inputs, inputs: true)
      check("output", signature.outputs, replacement.outputs, inputs: false)
      for added in replacement.inputs where !signature.inputs.contains(where: { $0.name == added.name }) {
        problems.append(.init(signature: signature.key, problem: "new required input \(added.name)"))
      }
    }
    return problems
  }

  /// Whether every tensor of shape `narrow` also fits `wide`: unknown rank fits anything; ranks
  /// must agree; an unknown dimension (-1) in `wide` fits any size, a known one only itself.
  static func shapeAccepts(_ wide: [Int64]?, _ narrow: [Int64]?) -> Bool {
    guard let wide else { return true }
    guard let narrow, narrow.count == wide.count else { return false }
    return zip(wide, narrow).allSatisfy { $0 == -1 || $0 == $1 }
  }

  func detail(_ id: VersionID) throws(RegistryError) -> VersionDetail {
    do { return try catalog.detail(id) } catch { throw RegistryError(error) }
  }

  // MARK: - Metadata

  public func setMetadata(_ reference: Reference, key: String, value: String) throws(RegistryError) {
    guard !key.isEmpty else { throw RegistryError(.invalidArgument, "metadata keys may not be empty") }
    let version = try resolve(reference)
    do { try catalog.setMetadata(version.id, key: key, value: value, actor: Self.actor) } catch {
      throw RegistryError(error)
    }
  }

  public func removeMetadata(_ reference: Reference, key: String) throws(RegistryError) {
    let version = try resolve(reference)
    do { try catalog.removeMetadata(version.id, key: key, actor: Self.actor) } catch { throw RegistryError(error) }
  }

  // MARK: - Lineage and history

  /// Ancestors (nearest first) and descendants (with depth) of a version.
  public func lineage(_ reference: Reference) throws(RegistryError)
    -> (version: VersionSummary, ancestors: [VersionSummary], descendants: [(depth: Int, version: VersionSummary)])
  {
    let version = try resolve(reference)
    do {
      return (version, try catalog.ancestors(of: version.id), try catalog.descendants(of: version.id))
    } catch {
      throw RegistryError(error)
    }
  }

  /// Every version of a model, removed ones included.
  public func history(_ model: String) throws(RegistryError) -> [(version: VersionSummary, removedAt: String?)] {
    do { return try catalog.history(of: model) } catch { throw RegistryError(error) }
  }

  // MARK: - Queries and events

  public func query(_ query: VersionQuery) throws(RegistryError) -> [VersionSummary] {
    do { return try catalog.query(query) } catch { throw RegistryError(error) }
  }

  /// The `limit` matching versions added to the store last, newest first, and how many match:
  /// a page of a query, costing the same however many versions match.
  ///
  /// - Parameter models: when given, only versions of these models match, whether the query's
  ///   criteria combine with AND or OR.
  public func query(_ query: VersionQuery, newest limit: Int, models: [String]? = nil) throws(RegistryError) -> (
    versions: [VersionSummary], total: Int
  ) {
    do { return try catalog.query(query, newest: limit, models: models) } catch { throw RegistryError(error) }
  }

  public func sql(_ statement: String) throws(RegistryError) -> SQLResult {
    do { return try catalog.readOnlySQL(statement) } catch { throw RegistryError(error) }
  }

  public func events(model: String?, limit: Int) throws(RegistryError) -> [Event] {
    do { return try catalog.events(model: model, limit: limit) } catch { throw RegistryError(error) }
  }
}
