import Foundation

/// A request path of TensorFlow Serving's REST API, parsed the way its regular expressions
/// match (`http_rest_api_util.cc`): case-insensitive literals, model and label URL-decoded, the
/// version an int64.
///
/// - `POST /v1/models/NAME[/versions/N | /labels/L]:(predict|classify|regress)`
/// - `GET /v1/models/NAME[/versions/N | /labels/L][/metadata]`
/// - `GET /v1/models` (ours: the model list; TensorFlow Serving answers 400).
struct ServingPath: Equatable {
  enum Action: String, Equatable {
    case predict, classify, regress, status, metadata, list
  }

  var action: Action
  var model = ""
  var version: VersionRequest = .latest

  /// Whether the path is under `/v1/`, the prefix TensorFlow Serving claims whole.
  static func isServingPath(_ path: String) -> Bool {
    let utf8 = path.utf8
    guard utf8.count >= 4 else { return false }
    let prefix = utf8.prefix(4).map { $0 | 0x20 }
    return prefix == Array("/v1/".utf8)
  }

  /// Parses a path under `/v1/`.
  ///
  /// - Throws: `invalidArgument` "Malformed request: METHOD PATH" for anything that is not one of
  ///   the API's paths, and "Failed to convert version: N" for a version past int64.
  static func parse(method: String, path: String) throws(ServerError) -> ServingPath {
    let malformed = ServerError(.invalidArgument, "Malformed request: \(method) \(path)")
    var scanner = Scanner(Array(path.utf8))
    guard scanner.literal("/v1/models") else { throw malformed }
    switch method {
    case "GET":
      if scanner.isAtEnd { return ServingPath(action: .list) }
      guard scanner.literal("/"), let model = scanner.segment() else { throw malformed }
      var result = ServingPath(action: .status, model: model)
      if let version = try scanner.versionOrLabel(malformed: malformed) { result.version = version }
      if scanner.literal("/metadata") { result.action = .metadata }
      guard scanner.isAtEnd else { throw malformed }
      return result
    case "POST":
      guard scanner.literal("/"), let model = scanner.segment() else { throw malformed }
      var result = ServingPath(action: .predict, model: model)
      if let version = try scanner.versionOrLabel(malformed: malformed) { result.version = version }
      guard scanner.literal(":") else { throw malformed }
      if scanner.literal("predict") {
        result.action = .predict
      } else if scanner.literal("classify") {
        result.action = .classify
      } else if scanner.literal("regress") {
        result.action = .regress
      } else {
        throw malformed
      }
      guard scanner.isAtEnd else { throw malformed }
      return result
    default:
      throw malformed
    }
  }

  private struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    /// Consumes `text` if the input continues with it, ignoring ASCII case.
    mutating func literal(_ text: String) -> Bool {
      let expected = Array(text.utf8)
      guard bytes.count - index >= expected.count else { return false }
      for (offset, byte) in expected.enumerated() {
        let actual = bytes[index + offset]
        let folded = (actual >= 0x41 && actual <= 0x5A) ? actual | 0x20 : actual
        guard folded == byte else { return false }
      }
      index += expected.count
      return true
    }

    /// A non-empty run of bytes other than `/` and `:`, percent-decoded.
    mutating func segment() -> String? {
      let start = index
      while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: ":") { index += 1 }
      guard index > start else { return nil }
      let raw = String(decoding: bytes[start..<index], as: UTF8.self)
      return raw.removingPercentEncoding ?? raw
    }

    /// `/versions/N` or `/labels/L`, if next.
    mutating func versionOrLabel(malformed: ServerError) throws(ServerError) -> VersionRequest? {
      let start = index
      if literal("/versions/") {
        let digitsStart = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        guard index > digitsStart else {
          index = start
          throw malformed
        }
        let digits = String(decoding: bytes[digitsStart..<index], as: UTF8.self)
        guard let number = Int64(digits) else {
          throw ServerError(.invalidArgument, "Failed to convert version: \(digits)")
        }
        return .number(number)
      }
      if literal("/labels/") {
        guard let label = segment() else { throw malformed }
        return .label(label)
      }
      return nil
    }
  }
}
