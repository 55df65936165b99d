import Foundation
import Hummingbird
import Mustache
import Registry

/// The read-only web catalog: models, versions, lineage, diffs, events and the store, as HTML
/// pages under `/ui/`, rendered on the server from the templates in `Templates/`.
///
/// It only reads: every route is a GET (HEAD too), and nothing it calls on the registry writes.
/// Every value from the catalog is HTML-escaped by the templates (`{{x}}`); the only unescaped
/// insertions are the SVG charts and the sanitised model card, which escape their inputs
/// themselves. Pages carry a Content-Security-Policy that allows no inline script or style.
public struct WebCatalog: Sendable {
  let registry: Registry
  let library: MustacheLibrary

  /// The policy sent with every page: only this server's own stylesheet and script, no inline
  /// code, no frames, forms only to this server.
  static let contentSecurityPolicy =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; "
    + "base-uri 'none'; frame-ancestors 'none'"

  /// Serves the catalog of `registry`, which may be opened read-only.
  public init(registry: Registry) {
    self.registry = registry
    var library = MustacheLibrary()
    for template in EmbeddedAssets.templates {
      // The templates are fixed at build time and a test renders each, so a parse error here is
      // a build defect; it leaves that page empty rather than stopping the server.
      try? library.register(template.text, named: template.name)
    }
    self.library = library
  }

  /// Parses a template, throwing Mustache's error (the test that every template parses).
  static func parse(_ text: String) throws {
    _ = try MustacheTemplate(string: text)
  }

  /// Registers every page under /ui/ (and its static assets), read-only.
  public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
    let catalog = self
    let handler: @Sendable (Request, Context) async throws -> Response = { request, _ in
      let page = catalog.page(path: request.uri.path, query: request.uri.query ?? "")
      return page.response
    }
    router.get("/ui", use: handler)
    router.get("/ui/**", use: handler)
    router.head("/ui", use: handler)
    router.head("/ui/**", use: handler)
  }

  /// What one request answers, before it becomes a Hummingbird response (tests read it too).
  struct Page {
    var status: HTTPResponse.Status
    var contentType: String
    var body: String
    var cacheable = false

    var response: Response {
      var headers: HTTPFields = [
        .contentType: contentType, .contentSecurityPolicy: WebCatalog.contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
      ]
      headers[.cacheControl] = cacheable ? "public, max-age=3600" : "no-store"
      return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
  }

  /// Routes a path under /ui to its page. The path arrives percent-encoded; model names are
  /// plain (letters, digits, `.`, `_`, `-`, `/`), and anything else is simply not found.
  func page(path rawPath: String, query: String) -> Page {
    let path = rawPath.removingPercentEncoding ?? rawPath
    var rest = path.hasPrefix("/ui") ? String(path.dropFirst(3)) : path
    if rest.hasPrefix("/") { rest.removeFirst() }
    let parameters = Self.formParameters(query)
    do {
      if rest.isEmpty { return try modelsPage(parameters) }
      if rest.hasPrefix("static/") { return staticFile(String(rest.dropFirst("static/".count))) }
      if rest == "events" { return try eventsPage(parameters) }
      if rest == "store" { return try storePage() }
      if rest == "diff" {
        guard let from = parameters["from"], let to = parameters["to"] else {
          throw RegistryError(.invalidArgument, "a diff needs ?from=REF&to=REF, or /ui/diff/NAME/A..B")
        }
        return try diffPage(from: try Reference(parsing: from), to: try Reference(parsing: to))
      }
      if rest.hasPrefix("diff/") {
        let spec = rest.dropFirst("diff/".count)
        guard let slash = spec.lastIndex(of: "/") else { throw notFound(path) }
        let model = String(spec[..<slash])
        let range = spec[spec.index(after: slash)...].components(separatedBy: "..")
        guard range.count == 2, let first = Int(range[0]), let second = Int(range[1]), first >= 1, second >= 1 else {
          throw RegistryError(.invalidArgument, "a diff range is A..B, two version numbers, not \"\(spec)\"")
        }
        try Reference.validateModelName(model)
        return try diffPage(
          from: Reference(model: model, selector: .number(first)),
          to: Reference(model: model, selector: .number(second)))
      }
      if rest.hasPrefix("models/") {
        var name = String(rest.dropFirst("models/".count))
        if name.hasSuffix("/") { name.removeLast() }
        if let marker = name.range(of: "/versions/", options: .backwards) {
          let number = name[marker.upperBound...]
          let model = String(name[..<marker.lowerBound])
          guard let value = Int(number), value >= 1 else { throw notFound(path) }
          try Reference.validateModelName(model)
          return try versionPage(Reference(model: model, selector: .number(value)), parameters)
        }
        try Reference.validateModelName(name)
        return try modelPage(name, parameters)
      }
      throw notFound(path)
    } catch let error as RegistryError {
      return errorPage(error)
    } catch {
      return errorPage(RegistryError(.internal, "\(error)"))
    }
  }

  /// A query string as a browser's GET form writes it: `+` is a space, the rest percent-encoded.
  /// The first value of a repeated key wins.
  static func formParameters(_ query: String) -> [String: String] {
    var parameters: [String: String] = [:]
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
      }
      guard let key = parts.first.flatMap(decode), !key.isEmpty else { continue }
      let value = parts.count > 1 ? decode(parts[1]) : ""
      if parameters[key] == nil, let value { parameters[key] = value }
    }
    return parameters
  }

  private func notFound(_ path: String) -> RegistryError {
    RegistryError(.notFound, "no page at \(path)")
  }

  private func errorPage(_ error: RegistryError) -> Page {
    // A name that is not valid can name no model: the page does not exist, whatever the reason.
    let category = error.category == .invalidArgument ? ErrorCategory.notFound : error.category
    let status = HTTPResponse.Status(code: category.httpStatus)
    let heading = category == .notFound ? "Not found" : "Cannot show this page"
    return render(
      "error", title: heading, status: status, ["heading": heading, "message": error.message])
  }

  private func staticFile(_ name: String) -> Page {
    guard let file = EmbeddedAssets.files.first(where: { $0.name == name }) else {
      return errorPage(RegistryError(.notFound, "no static file \(name)"))
    }
    let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
    return Page(status: .ok, contentType: type, body: file.text, cacheable: true)
  }

  /// Renders a page template, then the layout around it.
  func render(
    _ template: String, title: String, status: HTTPResponse.Status = .ok, query: String = "", _ values: [String: Any]
  ) -> Page {
    let body = library.render(values, withTemplate: template) ?? ""
    let layout: [String: Any] = [
      "title": title, "body": body, "query": query, "store": registry.root.path,
    ]
    return Page(
      status: status, contentType: "text/html; charset=utf-8",
      body: library.render(layout, withTemplate: "layout") ?? body)
  }
}
