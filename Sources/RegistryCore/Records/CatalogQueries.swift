/// One entry of the event log.
public struct Event: Sendable, Codable, Equatable {
  public let id: Int64
  public let at: String
  public let actor: String
  public let action: String
  public let model: String?
  public let version: Int?
  /// The action's details as a JSON object.
  public let detail: String

  package init(id: Int64, at: String, actor: String, action: String, model: String?, version: Int?, detail: String) {
    self.id = id
    self.at = at
    self.actor = actor
    self.action = action
    self.model = model
    self.version = version
    self.detail = detail
  }
}

/// What `registry query` can ask; each non-empty list is one criterion, and criteria combine
/// with AND (`matchAll`) or OR. Values within one list always combine with OR (SQL `IN`).
public struct VersionQuery: Sendable {
  public var models: [String] = []
  public var tensorNames: [String] = []
  /// Tensor or object digests (`sha256:…`): a version matches if any file object or tensor has it.
  public var digests: [String] = []
  public var ops: [String] = []
  /// Signature input dtypes (`DT_STRING`); `inputDtypes` match any signature's inputs.
  public var inputDtypes: [String] = []
  public var outputDtypes: [String] = []
  /// `KEY` (has the key) or `KEY=VALUE`.
  public var metadata: [String] = []
  public var matchAll = true
  public var includeRemoved = false

  public init() {}

  public var isEmpty: Bool {
    models.isEmpty && tensorNames.isEmpty && digests.isEmpty && ops.isEmpty && inputDtypes.isEmpty
      && outputDtypes.isEmpty && metadata.isEmpty
  }
}

/// The result of read-only SQL: column names and rows of text (NULL as `nil`).
public struct SQLResult: Sendable, Codable {
  public let columns: [String]
  public let rows: [[String?]]
  /// Why the rows stop short of the whole result, when they do: the row or byte limit
  /// (`Limits.sqlRows`, `Limits.sqlBytes`) was reached. `nil` for a complete result.
  public let truncated: String?

  package init(columns: [String], rows: [[String?]], truncated: String? = nil) {
    self.columns = columns
    self.rows = rows
    self.truncated = truncated
  }
}
