import RegistryCore

/// Where an artifact goes to or comes from (docs/oci.md):
/// `oci://HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]`, `oci-layout:DIR[:TAG]`, `oci-archive:FILE[:TAG]`.
public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
  case registry(host: String, repository: String, reference: String?)
  case layout(directory: String, tag: String?)
  case archive(file: String, tag: String?)

  public init(parsing text: String) throws(RemoteError) {
    if text.hasPrefix("oci://") {
      let rest = String(text.dropFirst("oci://".count))
      guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else {
        throw RemoteError(.invalidArgument, "\(text): expected oci://HOST[:PORT]/REPOSITORY[:TAG|@DIGEST]")
      }
      let host = String(rest[..<slash])
      var path = String(rest[rest.index(after: slash)...])
      var reference: String?
      if let at = path.firstIndex(of: "@") {
        reference = String(path[path.index(after: at)...])
        path = String(path[..<at])
        guard let reference, Digest(reference) != nil else {
          throw RemoteError(.invalidArgument, "\(text): a digest reference must be sha256:<64 lowercase hex digits>")
        }
      } else if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") {
        reference = String(path[path.index(after: colon)...])
        path = String(path[..<colon])
      }
      try Self.validateHost(host, in: text)
      try Self.validateRepository(path, in: text)
      if let reference, Digest(reference) == nil { try Self.validateTag(reference, in: text) }
      self = .registry(host: host, repository: path, reference: reference)
    } else if text.hasPrefix("oci-layout:") {
      let (path, tag) = try Self.splitTag(String(text.dropFirst("oci-layout:".count)), in: text)
      self = .layout(directory: path, tag: tag)
    } else if text.hasPrefix("oci-archive:") {
      let (path, tag) = try Self.splitTag(String(text.dropFirst("oci-archive:".count)), in: text)
      self = .archive(file: path, tag: tag)
    } else {
      throw RemoteError(
        .invalidArgument,
        "\(text): expected oci://HOST/REPOSITORY[:TAG], oci-layout:DIR[:TAG] or oci-archive:FILE[:TAG]")
    }
  }

  public var description: String {
    switch self {
    case .registry(let host, let repository, let reference):
      "oci://\(host)/\(repository)" + (reference.map { Digest($0) == nil ? ":\($0)" : "@\($0)" } ?? "")
    case .layout(let directory, let tag): "oci-layout:\(directory)" + (tag.map { ":\($0)" } ?? "")
    case .archive(let file, let tag): "oci-archive:\(file)" + (tag.map { ":\($0)" } ?? "")
    }
  }

  /// The tag or digest named, if any.
  public var reference: String? {
    switch self {
    case .registry(_, _, let reference): reference
    case .layout(_, let tag), .archive(_, let tag): tag
    }
  }

  /// The same place, naming another tag or digest.
  public func with(reference: String) -> Endpoint {
    switch self {
    case .registry(let host, let repository, _): .registry(host: host, repository: repository, reference: reference)
    case .layout(let directory, _): .layout(directory: directory, tag: reference)
    case .archive(let file, _): .archive(file: file, tag: reference)
    }
  }

  /// A path's tag follows its last `:` when that part is a valid tag with no `/`.
  private static func splitTag(_ text: String, in whole: String) throws(RemoteError) -> (String, String?) {
    var path = text
    var tag: String?
    if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
      path = String(text[..<colon])
      tag = String(text[text.index(after: colon)...])
    }
    guard !path.isEmpty else { throw RemoteError(.invalidArgument, "\(whole): no path") }
    if let tag { try validateTag(tag, in: whole) }
    return (path, tag)
  }

  /// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` (distribution-spec).
  static func validateTag(_ tag: String, in whole: String) throws(RemoteError) {
    let bytes = Array(tag.utf8)
    func word(_ byte: UInt8) -> Bool {
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
    guard (1...128).contains(bytes.count), word(bytes[0]), bytes.allSatisfy({ word($0) || $0 == 0x2E || $0 == 0x2D })
    else {
      throw RemoteError(.invalidArgument, "\(whole): \"\(tag)\" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})")
    }
  }

  /// Lowercase components `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` separated by `/` (distribution-spec).
  static func validateRepository(_ name: String, in whole: String) throws(RemoteError) {
    func lowerAlnum(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) }
    let valid =
      !name.isEmpty && name.utf8.count <= 255
      && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, lowerAlnum(first), lowerAlnum(last) else { return false }
        var index = 0
        while index < bytes.count {
          if lowerAlnum(bytes[index]) {
            index += 1
            continue
          }
          // A separator: ".", "_", "__" or a run of "-", between alphanumerics.
          var end = index
          while end < bytes.count, !lowerAlnum(bytes[end]) { end += 1 }
          let separator = String(decoding: bytes[index..<end], as: UTF8.self)
          guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" })
          else { return false }
          index = end
        }
        return true
      }
    guard valid else {
      throw RemoteError(
        .invalidArgument, "\(whole): \"\(name)\" is not a valid repository name (lowercase letters, digits, . _ - /)")
    }
  }

  static func validateHost(_ host: String, in whole: String) throws(RemoteError) {
    let allowed = host.unicodeScalars.allSatisfy {
      ($0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0))
        || ".-:[]".unicodeScalars.contains($0)
    }
    guard !host.isEmpty, allowed else { throw RemoteError(.invalidArgument, "\(whole): \"\(host)\" is not a host") }
  }
}
