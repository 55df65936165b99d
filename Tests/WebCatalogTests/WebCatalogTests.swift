import Foundation
import Hummingbird
import HummingbirdTesting
import Registry
import RegistryTestSupport
import Testing

@testable import WebCatalog

/// A store holding a fine-tune lineage (the `finetune_base` and `finetune_head` fixtures) with
/// hostile metadata, messages and a hostile card, as a user could push them.
final class CatalogFixture: Sendable {
  static let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>"
  static let hostileCard = """
    # Model card <script>alert(3)</script>

    Trained on **clean** data. <img src=x onerror=alert(4)>

    <iframe src="https://evil.example"></iframe>

    [safe link](https://example.com/docs?a=1&b=2) and [bad link](javascript:alert(5)).

    A [data link](data:text/html,<script>alert(6)</script>) and <a href="javascript:alert(7)">raw</a>.

    ```
    <script>alert(8)</script>
    ```
    """

  let registry: Registry
  let catalog: WebCatalog

  init() throws {
    let root = try makeTemporaryDirectory("web-catalog")
    let registry = try Registry(root: root)
    var base = PushOptions(model: "clf")
    base.aliases = ["prod"]
    base.metadata = ["owner": Self.hostile, "team": "search"]
    base.message = "base model " + Self.hostile
    _ = try registry.push(try Repository.Fixtures.model("finetune_base"), base)
    var head = PushOptions(model: "clf")
    head.parent = Reference(model: "clf", selector: .number(1))
    head.aliases = ["canary"]
    head.message = "new head"
    _ = try registry.push(try Repository.Fixtures.model("finetune_head"), head)
    var tuned = PushOptions(model: "team/tuned")
    tuned.parent = Reference(model: "clf", selector: .number(1))
    _ = try registry.push(try Repository.Fixtures.model("finetune_head"), tuned)
    _ = try registry.setCard(Reference(model: "clf", selector: .number(2)), markdown: Array(Self.hostileCard.utf8))
    // One run of each for the store page's maintenance facts (a day's grace: nothing is deleted).
    _ = try registry.collect(CollectionOptions())
    _ = try registry.fsck(repair: false)
    self.registry = try Registry(root: root, access: .readOnly)
    catalog = WebCatalog(registry: self.registry)
  }

  /// GETs `uri` through the Hummingbird router, as `serve` will mount it.
  func get(_ uri: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
    let router = Router()
    catalog.addRoutes(to: router)
    let app = Application(router: router)
    return try await app.test(.router) { client in
      try await client.execute(uri: uri, method: .get) { response in
        (response.status, response.headers, String(buffer: response.body))
      }
    }
  }
}

@Suite("Web catalog: routes and status codes")
struct RoutingTests {
  let fixture: CatalogFixture
  init() throws { fixture = try CatalogFixture() }

  @Test(
    "every page answers 200 with HTML and the CSP header",
    arguments: [
      "/ui", "/ui/", "/ui/?q=clf", "/ui/?q=op%3AMatMul", "/ui/models/clf", "/ui/models/team/tuned",
      "/ui/models/clf/versions/1", "/ui/models/clf/versions/2", "/ui/models/clf/versions/2?sort=size",
      "/ui/diff/clf/1..2", "/ui/diff?from=clf:1&to=team/tuned:1", "/ui/events", "/ui/events?model=clf&action=push",
      "/ui/store",
    ])
  func pageAnswers(_ uri: String) async throws {
    let response = try await fixture.get(uri)
    #expect(response.status == .ok, "\(uri): \(response.body.prefix(400))")
    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
    let policy = try #require(response.headers[.contentSecurityPolicy])
    #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
    #expect(response.body.hasPrefix("<!doctype html>") && response.body.contains("</html>"))
  }

  @Test(
    "unknown models, versions and pages are 404",
    arguments: [
      "/ui/models/nope", "/ui/models/clf/versions/9", "/ui/models/clf/versions/0", "/ui/models/clf/versions/x",
      "/ui/diff/clf/1..9", "/ui/nothing", "/ui/models/..%2Fetc", "/ui/static/missing.css",
    ])
  func unknownIsNotFound(_ uri: String) async throws {
    let response = try await fixture.get(uri)
    #expect(response.status == .notFound, "\(uri) answered \(response.status)")
    #expect(response.body.contains("Not found"))
  }

  @Test("a malformed diff range is refused, not a server error")
  func malformedDiff() async throws {
    for uri in ["/ui/diff/clf/1-2", "/ui/diff/clf/a..b", "/ui/diff?from=clf:1"] {
      let response = try await fixture.get(uri)
      #expect(response.status == .notFound, "\(uri) answered \(response.status)")
    }
  }

  @Test("the stylesheet and script are served with their types")
  func staticFiles() async throws {
    let css = try await fixture.get("/ui/static/catalog.css")
    #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
    #expect(css.body.contains("prefers-color-scheme: dark"))
    let script = try await fixture.get("/ui/static/catalog.js")
    #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
  }

  @Test("the pages show the facts: versions, aliases, parent link, lineage, a changed tensor")
  func facts() async throws {
    let models = try await fixture.get("/ui/")
    #expect(models.body.contains("href=\"/ui/models/clf\""))
    #expect(models.body.contains("@prod → v1") && models.body.contains("@canary → v2"))
    let model = try await fixture.get("/ui/models/clf")
    #expect(model.body.contains("<svg class=\"lineage\""))
    #expect(model.body.contains("href=\"/ui/models/clf/versions/2\""))
    let version = try await fixture.get("/ui/models/clf/versions/2")
    #expect(version.body.contains("id=\"parent-link\" href=\"/ui/models/clf/versions/1\""))
    #expect(version.body.contains("id=\"diff-parent\" href=\"/ui/diff/clf/1..2\""))
    #expect(version.body.contains("registry pull clf:2 --to ./clf"))
    #expect(version.body.contains("class=\"chip shared\""))
    let base = try await fixture.get("/ui/models/clf/versions/1")
    // The base's head tensors are only in clf:1; its hidden layers are shared with both fine-tunes.
    #expect(base.body.contains("class=\"chip unique\"") && base.body.contains("class=\"chip shared\""))
    // A parent of another model is a dashed node captioned with its reference, not as an alias.
    let tunedModel = try await fixture.get("/ui/models/team/tuned")
    #expect(tunedModel.body.contains("class=\"node external\"") && tunedModel.body.contains(">clf:1</text>"))
    let tuned = try await fixture.get("/ui/models/team/tuned/versions/1")
    #expect(tuned.body.contains("href=\"/ui/diff?from=clf:1&amp;to=team/tuned:1\""))
    let diff = try await fixture.get("/ui/diff/clf/1..2")
    #expect(diff.body.contains("layer_with_weights-2/bias"))
    #expect(diff.body.contains("<svg class=\"bars\""))
    let events = try await fixture.get("/ui/events?action=card.set")
    #expect(events.body.contains("<span class=\"chip\">card.set</span>"))
    #expect(!events.body.contains("<span class=\"chip\">push</span>"))
    let store = try await fixture.get("/ui/store")
    #expect(store.body.contains("id=\"dedup-ratio\""))
  }

  @Test("the store page shows the last gc and the last fsck with what they found")
  func maintenance() async throws {
    let store = try await fixture.get("/ui/store")
    #expect(store.body.contains("<b>objects_deleted</b>=0"), "\(store.body)")
    #expect(store.body.contains("<b>result</b>=clean") && store.body.contains("<b>problems</b>=0"))
    #expect(store.body.contains("<b>repair</b>=no"))
    let objects = try fixture.registry.statistics().objects
    #expect(store.body.contains("<b>objects_checked</b>=\(objects)"), "fsck checked every object the catalog counts")
    #expect(!store.body.contains("no fsck recorded"))
  }

  @Test("search terms run registry query; unknown terms are explained")
  func search() async throws {
    let byOp = try await fixture.get("/ui/?q=op%3AMatMul")
    #expect(byOp.body.contains("Matching versions") && byOp.body.contains("clf:2"))
    let byMeta = try await fixture.get("/ui/?q=meta%3Ateam%3Dsearch")
    #expect(byMeta.body.contains("clf:1") && !byMeta.body.contains(">clf:2<"))
    // As a browser's form sends it: spaces as '+'.
    let both = try await fixture.get("/ui/?q=op%3AMatMul+meta%3Ateam%3Dsearch")
    #expect(both.body.contains(">clf:1<") && !both.body.contains(">clf:2<"))
    let bad = try await fixture.get("/ui/?q=colour%3Ablue")
    #expect(bad.status == .ok && bad.body.contains("unknown search term"))
  }

  @Test("a search counts every match, lists the newest first, and words narrow it to their models")
  func searchPage() async throws {
    let all = try await fixture.get("/ui/?q=op%3AMatMul")
    #expect(all.body.contains("Matching versions <small>(3)</small>"), "\(all.body)")
    let tuned = try #require(all.body.range(of: ">team/tuned:1<"))
    let head = try #require(all.body.range(of: ">clf:2<"))
    let base = try #require(all.body.range(of: ">clf:1<"))
    #expect(tuned.lowerBound < head.lowerBound && head.lowerBound < base.lowerBound, "pushed last, listed first")
    // A word narrows to its models even when the terms combine with OR.
    let narrowed = try await fixture.get("/ui/?q=tuned+any+op%3AMatMul+meta%3Ateam%3Dsearch")
    #expect(narrowed.body.contains("Matching versions <small>(1)</small>") && narrowed.body.contains(">team/tuned:1<"))
    #expect(!narrowed.body.contains(">clf:1<") && !narrowed.body.contains(">clf:2<"))
  }
}

@Suite("Web catalog: hostile input is escaped")
struct EscapingTests {
  let fixture: CatalogFixture
  init() throws { fixture = try CatalogFixture() }

  /// No element or attribute from the hostile values is live on a page: hostile text may appear,
  /// escaped, but no tag carries an event handler or a script link, and no tag is a script,
  /// image or frame (the layout's one external script aside).
  static func expectInert(_ body: String, _ page: String) {
    for problem in HostileMarkup.problems(in: body) {
      Issue.record("\(page): \(problem)")
    }
  }

  @Test(
    "metadata, messages and queries are escaped on every page",
    arguments: [
      "/ui/", "/ui/models/clf", "/ui/models/clf/versions/1", "/ui/models/clf/versions/2", "/ui/events", "/ui/store",
      "/ui/diff/clf/1..2", "/ui/?q=%3Cscript%3Ealert(1)%3C/script%3E",
      "/ui/models/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      "/ui/events?model=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    ])
  func escaped(_ uri: String) async throws {
    let response = try await fixture.get(uri)
    Self.expectInert(response.body, uri)
  }

  @Test("the hostile text is shown, escaped, where it belongs")
  func shownEscaped() async throws {
    let version = try await fixture.get("/ui/models/clf/versions/1")
    #expect(version.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
    let search = try await fixture.get("/ui/?q=%22%3E%3Cscript%3E")
    #expect(search.body.contains("value=\"&quot;&gt;&lt;script&gt;\""))
  }

  @Test("the model card is rendered, sanitised: no raw HTML, only http(s) links")
  func card() async throws {
    let page = try await fixture.get("/ui/models/clf/versions/2")
    #expect(page.body.contains("<h1>Model card &lt;script&gt;alert(3)&lt;/script&gt;</h1>"))
    #expect(page.body.contains("<strong>clean</strong>"))
    #expect(
      page.body.contains("<a href=\"https://example.com/docs?a=1&amp;b=2\" rel=\"nofollow noopener noreferrer\">"))
    #expect(page.body.contains("bad link") && page.body.contains("data link"))
    #expect(page.body.contains("&lt;iframe"))
  }
}

@Suite("Web catalog: Markdown sanitiser")
struct SanitizerTests {
  @Test(
    "hostile Markdown renders inert",
    arguments: [
      "<script>alert(1)</script>", "<SCRIPT SRC=//x.example/a.js></SCRIPT>", "<img src=x onerror=alert(1)>",
      "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x]( javascript:alert(1))",
      "<a href=\"javascript:alert(1)\">x</a>", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<svg onload=alert(1)>",
      "<p style=\"background:url(javascript:alert(1))\">x</p>", "<a href='https://ok.example' onclick='alert(1)'>x</a>",
      "[x](vbscript:msgbox(1))", "<<script>script>alert(1)<</script>/script>", "<style>body{display:none}</style>",
      "[x](//evil.example/path)", "<a href=\"https://a.example\"onmouseover=alert(1)>x</a>",
    ])
  func inert(_ markdown: String) {
    let html = CardRenderer.html(fromMarkdown: markdown)
    #expect(HostileMarkup.problems(in: html, allowing: []).isEmpty, "\(markdown) -> \(html)")
    #expect(HostileMarkup.tags(in: html).allSatisfy { !$0.contains("style") && !$0.hasPrefix("<svg") }, "\(html)")
    #expect(!html.contains("href=\"//"), "\(markdown) -> \(html)")
  }

  @Test("ordinary Markdown keeps its structure")
  func structure() {
    let html = CardRenderer.html(
      fromMarkdown: "# Title\n\nSome *emphasis* and `code` & more.\n\n- one\n- two\n\n[docs](https://example.com/a?b=c)"
    )
    #expect(html.contains("<h1>Title</h1>"))
    #expect(html.contains("<em>emphasis</em>") && html.contains("<code>code</code>"))
    #expect(html.contains("<ul><li>one</li><li>two</li></ul>"))
    #expect(html.contains("<a href=\"https://example.com/a?b=c\""))
    #expect(html.contains("&amp; more"))
  }
}

@Suite("Web catalog: embedded assets")
struct EmbeddedAssetTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/WebCatalog")

  @Test("the embedded templates and files are exactly those in Sources/WebCatalog")
  func embeddedMatchFiles() throws {
    for (folder, embedded) in [("Templates", EmbeddedAssets.templates), ("Assets", EmbeddedAssets.files)] {
      let url = Self.directory.appendingPathComponent(folder)
      let files = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
      #expect(!files.isEmpty)
      let names = files.map { folder == "Templates" ? String($0.dropLast(".mustache".count)) : $0 }
      #expect(embedded.map(\.name) == names, "run Scripts/embed-web-assets.sh")
      for (name, file) in zip(names, files) {
        var text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
        if text.hasSuffix("\n") { text.removeLast() }
        #expect(embedded.first { $0.name == name }?.text == text, "\(file) differs; run Scripts/embed-web-assets.sh")
      }
    }
  }

  @Test("every template parses")
  func templatesParse() throws {
    #expect(!EmbeddedAssets.templates.isEmpty)
    for template in EmbeddedAssets.templates {
      #expect(throws: Never.self, "\(template.name)") { try WebCatalog.parse(template.text) }
    }
  }
}

/// Finds markup that would run or load something: tags and attributes, not escaped text.
enum HostileMarkup {
  /// Every tag of `html`, as written.
  static func tags(in html: String) -> [String] {
    var tags: [String] = []
    var rest = html[...]
    while let open = rest.firstIndex(of: "<") {
      let after = rest[rest.index(after: open)...]
      guard let close = after.firstIndex(of: ">") else { break }
      tags.append(String(rest[open...close]))
      rest = after[after.index(after: close)...]
    }
    return tags
  }

  /// The layout's own stylesheet and script.
  static let layoutTags: Set<String> = [
    "<script src=\"/ui/static/catalog.js\" defer>", "<link rel=\"stylesheet\" href=\"/ui/static/catalog.css\">",
  ]

  static func problems(in html: String, allowing allowed: Set<String> = layoutTags) -> [String] {
    var problems: [String] = []
    for tag in tags(in: html) where !allowed.contains(tag) {
      let lowered = tag.lowercased()
      // Quoted values are escaped (no raw quote inside), so what is left are names and bare values.
      let unquoted = lowered.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
      for name in ["<script", "<img", "<iframe", "<object", "<embed", "<style", "<link", "<base", "<meta http-equiv"]
      where lowered.hasPrefix(name) {
        problems.append("live tag \(tag)")
      }
      if unquoted.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil {
        problems.append("event handler in \(tag)")
      }
      if lowered.range(of: #"(href|src|action)\s*=\s*"?\s*(javascript|data|vbscript):"#, options: .regularExpression)
        != nil
      {
        problems.append("script link in \(tag)")
      }
    }
    return problems
  }
}
