/// A failure of the inference core, with the node, op or input concerned.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable, Codable {
    /// Ops or attributes the core does not implement (all of them are listed at once).
    case unsupported
    /// A feed with the wrong name, dtype or shape; a missing or unknown signature.
    case invalidArgument = "invalid_argument"
    /// The graph is malformed (a missing node, a cycle, an input that does not exist).
    case invalidGraph = "invalid_graph"
    /// A kernel failed while running.
    case failed
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
