/// Asset file names as a SavedModel's `asset_file_def` gives them, checked before anything uses
/// them as a path: the graph is untrusted input, and `../../etc/hostname` or `/etc/hostname` must
/// never be read as a model's vocabulary.
public enum AssetPath {
  /// `name` when it names a file inside the directory it is relative to (`assets/`): not empty,
  /// not absolute, no `.`, `..` or empty part, no NUL; otherwise nil.
  public static func contained(_ name: String) -> String? {
    guard !name.isEmpty, !name.hasPrefix("/"), !name.utf8.contains(0) else { return nil }
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
    return name
  }
}
