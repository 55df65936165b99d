import RegistryCore

/// A failure of the inference core, with the node, op or input concerned.
///
/// Ops or attributes the core does not implement are `unsupported` (all of them listed at once);
/// a feed with the wrong name, dtype or shape, a malformed graph and a kernel that refuses its
/// inputs are `invalidArgument`, as TensorFlow reports them; a size past the limits is
/// `resourceExhausted`.
public struct InferenceError: CategorizedError {
  public let category: ErrorCategory
  public let message: String

  public init(_ category: ErrorCategory, _ message: String) {
    self.category = category
    self.message = message
  }
}
