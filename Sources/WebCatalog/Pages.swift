import Foundation
import Registry

/// Where each page lives; every part from the catalog is percent-encoded.
enum Links {
  static func model(_ name: String) -> String { "/ui/models/" + HTML.urlComponent(name, keepingSlash: true) }

  static func version(_ model: String, _ number: Int) -> String { self.model(model) + "/versions/\(number)" }

  /// A `NAME:N` reference's page, or the models page when it does not parse.
  static func version(reference: String) -> String {
    guard let colon = reference.lastIndex(of: ":"), let number = Int(reference[reference.index(after: colon)...]) else {
      return "/ui/"
    }
    return version(String(reference[..<colon]), number)
  }

  static func diff(from: String, to: String) -> String {
    if let a = split(from), let b = split(to), a.model == b.model {
      return "/ui/diff/" + HTML.urlComponent(a.model, keepingSlash: true) + "/\(a.number)..\(b.number)"
    }
    return "/ui/diff?from=" + HTML.urlComponent(from, keepingSlash: true) + "&to="
      + HTML.urlComponent(to, keepingSlash: true)
  }

  private static func split(_ reference: String) -> (model: String, number: Int)? {
    guard let colon = reference.lastIndex(of: ":"), let number = Int(reference[reference.index(after: colon)...]) else {
      return nil
    }
    return (String(reference[..<colon]), number)
  }
}

extension WebCatalog {
  static let modelsPerPage = 100
  static let versionsPerPage = 50
  static let eventsPerPage = 100
  static let matchesShown = 200
  static let tensorsShown = 1000

  static func page(_ parameters: [String: String]) -> Int { max(1, Int(parameters["page"] ?? "") ?? 1) }

  /// A pager for page `page` of `total` items; `link` makes a page's address.
  static func pager(page: Int, perPage: Int, total: Int, link: (Int) -> String) -> [String: Any]? {
    let pages = max(1, (total + perPage - 1) / perPage)
    guard pages > 1 else { return nil }
    var pager: [String: Any] = ["label": "page \(page) of \(pages)"]
    if page > 1 { pager["previous"] = link(page - 1) }
    if page < pages { pager["next"] = link(page + 1) }
    return pager
  }

  /// Signatures with the internal ones (`__saved_model_init_op`) last.
  static func servingFirst(_ signatures: [VersionDetail.Signature]) -> [VersionDetail.Signature] {
    signatures.filter { !$0.key.hasPrefix("__") } + signatures.filter { $0.key.hasPrefix("__") }
  }

  static func keyValues(_ dictionary: [String: String]) -> [[String: Any]] {
    dictionary.keys.sorted().map { ["key": $0, "value": dictionary[$0] ?? ""] }
  }

  /// An event's JSON detail as key/value pairs (values that are not strings shown as JSON).
  static func keyValues(json: String) -> [[String: Any]] {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
      return json.isEmpty || json == "{}" ? [] : [["key": "detail", "value": json]]
    }
    return object.keys.sorted().compactMap { key in
      let value = object[key]
      let text: String
      switch value {
      case let string as String: text = string
      case let number as NSNumber: text = number.stringValue
      default:
        let data =
          (try? JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.fragmentsAllowed])) ?? Data()
        text = String(decoding: data, as: UTF8.self)
      }
      return text.isEmpty ? nil : ["key": key, "value": text]
    }
  }

  // MARK: - /ui/

  func modelsPage(_ parameters: [String: String]) throws(RegistryError) -> Page {
    let text = (parameters["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    let search = SearchQuery(text)
    var values: [String: Any] = ["query": text, "searching": !text.isEmpty]
    // The model list is read only when it is shown or words narrow the versions to some models.
    let showsModels = search.query.isEmpty || !search.words.isEmpty
    var models: [ModelSummary] = []
    if showsModels {
      models = try registry.models()
      if !search.words.isEmpty {
        models = models.filter { model in search.words.allSatisfy { model.name.localizedCaseInsensitiveContains($0) } }
      }
      let page = Self.page(parameters)
      let shown = models.dropFirst((page - 1) * Self.modelsPerPage).prefix(Self.modelsPerPage)
      values["showModels"] = true
      values["models"] = shown.map { model -> [String: Any] in
        var row: [String: Any] = [
          "name": model.name, "link": Links.model(model.name), "versions": Format.count(model.versionCount),
          "size": Format.bytes(model.logicalBytes),
          "aliases": model.aliases.keys.sorted().map { alias -> [String: Any] in
            let number = model.aliases[alias] ?? 0
            return ["name": alias, "version": number, "link": Links.version(model.name, number)]
          },
        ]
        if let latest = model.latestVersion {
          row["latest"] = latest
          row["latestLink"] = Links.version(model.name, latest)
        }
        if let at = model.latestAt { row["lastPush"] = Format.time(at) }
        return row
      }
      let encoded = HTML.urlComponent(text)
      if let pager = Self.pager(
        page: page, perPage: Self.modelsPerPage, total: models.count,
        link: { "/ui/?" + (text.isEmpty ? "" : "q=\(encoded)&") + "page=\($0)" })
      {
        values["pager"] = pager
      }
    }
    if let problem = search.problem { values["problem"] = problem }
    if !search.query.isEmpty {
      // Only the page shown becomes summaries; the catalog counts the rest.
      let matches = try registry.query(
        search.query, newest: Self.matchesShown, models: search.words.isEmpty ? nil : models.map(\.name))
      values["showVersions"] = true
      values["versionCount"] = Format.count(matches.total)
      values["truncated"] = matches.total > Self.matchesShown
      values["shown"] = Self.matchesShown
      values["versions"] = matches.versions.map { version -> [String: Any] in
        [
          "reference": version.reference, "link": Links.version(version.model, version.number),
          "created": Format.time(version.createdAt), "by": version.createdBy,
          "size": Format.bytes(version.logicalBytes), "aliases": version.aliases, "message": version.message ?? "",
        ]
      }
    }
    return render("models", title: "Models", query: text, values)
  }

  // MARK: - /ui/models/NAME

  func modelPage(_ name: String, _ parameters: [String: String]) throws(RegistryError) -> Page {
    let page = Self.page(parameters)
    let (entries, total) = try registry.historyPage(
      of: name, offset: (page - 1) * Self.versionsPerPage, limit: Self.versionsPerPage)
    let summary = try registry.models().first { $0.name == name }
    var values: [String: Any] = [
      "name": name, "versionCount": Format.count(summary?.versionCount ?? 0),
      "aliases": (summary?.aliases ?? [:]).keys.sorted().map { alias -> [String: Any] in
        let number = summary?.aliases[alias] ?? 0
        return ["name": alias, "version": number, "link": Links.version(name, number)]
      },
    ]
    if let latest = summary?.latestVersion {
      values["latest"] = latest
      values["latestLink"] = Links.version(name, latest)
    }
    values["history"] = entries.map { entry -> [String: Any] in
      let version = entry.version
      var row: [String: Any] = [
        "number": version.number, "link": Links.version(name, version.number), "removed": entry.removedAt != nil,
        "created": Format.time(version.createdAt), "by": version.createdBy, "message": version.message ?? "",
        "aliases": version.aliases, "metadata": Self.keyValues(entry.metadata),
        "size": Format.bytes(version.logicalBytes), "newBytes": Format.bytes(version.newBytes),
      ]
      if let parent = version.parent {
        row["parent"] = parent
        row["parentLink"] = Links.version(reference: parent)
      }
      return row
    }
    // The graph shows this page's versions, oldest first, and the parents they come from.
    let shown = entries.reversed()
    let onPage = Set(shown.map { $0.version.reference })
    var nodes: [Charts.LineageNode] = []
    var externals: [String] = []
    for entry in shown {
      if let parent = entry.version.parent, !onPage.contains(parent), !externals.contains(parent) {
        externals.append(parent)
      }
    }
    for parent in externals {
      nodes.append(
        .init(
          reference: parent, label: parent.count > 9 ? "↑" : parent, link: Links.version(reference: parent),
          aliases: [parent], parent: nil, external: true, removed: false))
    }
    for entry in shown {
      let version = entry.version
      nodes.append(
        .init(
          reference: version.reference, label: "v\(version.number)", link: Links.version(name, version.number),
          aliases: version.aliases, parent: version.parent, external: false, removed: entry.removedAt != nil))
    }
    values["lineage"] = Charts.lineage(nodes)
    if let pager = Self.pager(
      page: page, perPage: Self.versionsPerPage, total: total, link: { Links.model(name) + "?page=\($0)" })
    {
      values["pager"] = pager
    }
    return render("model", title: name, values)
  }

  // MARK: - /ui/models/NAME/versions/N

  func versionPage(_ reference: Reference, _ parameters: [String: String] = [:]) throws(RegistryError) -> Page {
    let detail = try registry.detail(reference)
    let version = detail.version
    let tensors = try registry.tensors(reference)
    let shared = try registry.sharedTensorNames(reference)
    let ops = try registry.ops(reference)
    var values: [String: Any] = [
      "model": version.model, "modelLink": Links.model(version.model), "number": version.number,
      "aliases": version.aliases, "message": version.message ?? "", "created": Format.time(version.createdAt),
      "by": version.createdBy, "size": Format.bytes(version.logicalBytes), "fileCount": Format.count(version.fileCount),
      "newBytes": Format.bytes(version.newBytes), "uniqueBytes": Format.bytes(detail.sharing.uniqueBytes),
      "sharedBytes": Format.bytes(detail.sharing.sharedBytes), "tensorCount": Format.count(detail.tensorCount),
      "tensorBytes": Format.bytes(detail.tensorBytes), "manifest": version.manifest.description,
      "source": version.sourcePath ?? "", "opCount": ops.count, "ops": ops,
      "metadata": Self.keyValues(detail.metadata), "hasMetadata": !detail.metadata.isEmpty,
    ]
    if let parent = version.parent {
      values["parent"] = parent
      values["parentLink"] = Links.version(reference: parent)
      values["diffLink"] = Links.diff(from: parent, to: version.reference)
    }
    let ref = version.reference
    // The exact commands for this version; `run` names the serving signature's inputs.
    let serving = detail.signatures.first { $0.key == "serving_default" } ?? detail.signatures.first
    var run = "registry run \(ref)"
    if let serving, serving.key != "serving_default" { run += " --signature \(serving.key)" }
    for input in serving?.inputs ?? [] { run += " --input \(input.name)=\(input.name).npy" }
    values["commands"] = [
      ["id": "pull", "text": "registry pull \(ref) --to ./\(version.model.split(separator: "/").last ?? "model")"],
      ["id": "run", "text": run], ["id": "serve", "text": "registry serve --model \(version.model)"],
    ]
    do {
      if let card = try registry.card(reference) {
        values["card"] = CardRenderer.html(fromMarkdown: card.markdown)
      }
    } catch {
      values["cardProblem"] = "The model card cannot be read: \(error.message)"
    }
    values["signatures"] = Self.servingFirst(detail.signatures).map { signature -> [String: Any] in
      let tags =
        detail.metaGraphs.indices.contains(signature.metaGraph)
        ? detail.metaGraphs[signature.metaGraph].tags.joined(separator: ",") : ""
      let rows = signature.inputs.map { ("input", $0) } + signature.outputs.map { ("output", $0) }
      return [
        "key": signature.key, "method": signature.methodName, "tags": tags,
        "tensors": rows.map { direction, tensor -> [String: Any] in
          [
            "direction": direction, "name": tensor.name, "dtype": tensor.dtype, "shape": Format.shape(tensor.shape),
            "tensor": tensor.tensorName,
          ]
        },
      ]
    }
    let page = Links.version(version.model, version.number)
    values.merge(tensorValues(tensors, shared: shared, sort: parameters["sort"], page: page)) { $1 }
    if let fingerprint = detail.fingerprint {
      values["fingerprint"] = [
        "status": fingerprint.status, "checksum": fingerprint.savedModelChecksum, "uuid": fingerprint.uuid,
        "singleprint": [
          fingerprint.graphDefProgramHash, fingerprint.signatureDefHash, fingerprint.savedObjectGraphHash,
          fingerprint.checkpointHash,
        ].joined(separator: "/"),
      ]
    }
    values["files"] = detail.files.filter { $0.kind == .file }.map { file -> [String: Any] in
      let digest = file.sha256?.description ?? ""
      return [
        "path": file.path, "size": Format.bytes(file.size ?? 0), "digest": digest,
        "shortDigest": digest.count > 19 ? String(digest.prefix(19)) + "…" : digest,
      ]
    }
    return render("version", title: version.reference, values)
  }

  /// The tensor table's rows, sorted as the column links ask (`?sort=size` and so on).
  private func tensorValues(_ tensors: [TensorRow], shared: Set<String>, sort: String?, page: String) -> [String: Any] {
    var rows = tensors.map { tensor in
      (tensor, tensor.digest == nil ? "sharded" : shared.contains(tensor.name) ? "shared" : "unique")
    }
    switch sort {
    case "size": rows.sort { ($0.0.size, $1.0.name) > ($1.0.size, $0.0.name) }
    case "sharing": rows.sort { ($0.1, $0.0.name) < ($1.1, $1.0.name) }
    default: break  // by name, as the catalog returns them
    }
    return [
      "tensors": rows.prefix(Self.tensorsShown).map { tensor, sharing -> [String: Any] in
        [
          "name": tensor.name, "dtype": tensor.dtype, "shape": Format.shape(tensor.shape),
          "size": Format.bytes(tensor.size), "bytes": tensor.size, "sharing": sharing,
        ]
      },
      "tensorsTruncated": tensors.count > Self.tensorsShown, "tensorsShown": Format.count(Self.tensorsShown),
      "sortName": page + "?sort=name#tensors", "sortSize": page + "?sort=size#tensors",
      "sortSharing": page + "?sort=sharing#tensors",
    ]
  }

  // MARK: - /ui/diff

  func diffPage(from: Reference, to: Reference) throws(RegistryError) -> Page {
    let diff = try registry.diff(from, to)
    let fromDetail = try registry.detail(from)
    let toDetail = try registry.detail(to)
    func tensorRow(_ tensor: VersionDiff.Tensor) -> [String: Any] {
      [
        "name": tensor.name, "dtype": tensor.dtype, "shape": Format.shape(tensor.shape),
        "size": Format.bytes(tensor.size),
      ]
    }
    func change<T: Equatable>(_ change: VersionDiff.Change<T>, _ show: (T) -> String) -> String {
      change.before == change.after ? show(change.after) : "\(show(change.before)) → \(show(change.after))"
    }
    func side(_ detail: VersionDetail) -> [String: Any] {
      [
        "reference": detail.version.reference,
        "signatures": Self.servingFirst(detail.signatures).map { signature -> [String: Any] in
          let rows = signature.inputs.map { ("in", $0) } + signature.outputs.map { ("out", $0) }
          return [
            "key": signature.key,
            "tensors": rows.map { direction, tensor -> [String: Any] in
              ["direction": direction, "name": tensor.name, "dtype": tensor.dtype, "shape": Format.shape(tensor.shape)]
            },
          ]
        },
      ]
    }
    let fromReference = fromDetail.version.reference
    let toReference = toDetail.version.reference
    var values: [String: Any] = [
      "model": toDetail.version.model, "modelLink": Links.model(toDetail.version.model), "from": fromReference,
      "to": toReference, "fromLink": Links.version(reference: fromReference),
      "toLink": Links.version(reference: toReference), "changed": diff.tensorsChanged.count,
      "added": diff.tensorsAdded.count, "removed": diff.tensorsRemoved.count,
      "unchanged": diff.tensorsUnchanged, "bytesAdded": Format.bytes(diff.bytesAdded), "identical": diff.isEmpty,
      "hasChanged": !diff.tensorsChanged.isEmpty,
      "changes": diff.tensorsChanged.map { tensor -> [String: Any] in
        [
          "name": tensor.name, "dtype": change(tensor.dtype) { $0 }, "shape": change(tensor.shape, Format.shape),
          "size": change(tensor.size, Format.bytes), "max": Format.decimal(tensor.maxAbsDifference),
          "mean": Format.decimal(tensor.meanAbsDifference), "elements": tensor.elementsChanged.map(Format.count) ?? "—",
        ]
      },
      "hasAddedOrRemoved": !diff.tensorsAdded.isEmpty || !diff.tensorsRemoved.isEmpty,
      "addedTensors": diff.tensorsAdded.map(tensorRow), "removedTensors": diff.tensorsRemoved.map(tensorRow),
      "signatureChanges": diff.signatures.map { ["key": $0.key, "change": $0.change, "details": $0.details] },
      "sides": [side(fromDetail), side(toDetail)],
      "hasOps": !diff.opsAdded.isEmpty || !diff.opsRemoved.isEmpty, "opsAdded": diff.opsAdded,
      "opsRemoved": diff.opsRemoved, "hasFiles": !diff.files.isEmpty,
      "files": diff.files.map { file -> [String: Any] in
        [
          "path": file.path, "change": file.change, "before": file.sizeBefore.map(Format.bytes) ?? "—",
          "after": file.sizeAfter.map(Format.bytes) ?? "—",
        ]
      },
    ]
    let tags =
      diff.tagsAdded.map { "+ " + $0.joined(separator: ",") }
      + diff.tagsRemoved.map { "− " + $0.joined(separator: ",") }
    if !tags.isEmpty { values["tags"] = tags }
    let chart = Charts.changeBars(diff.tensorsChanged)
    if !chart.isEmpty { values["chart"] = chart }
    return render("diff", title: "\(fromReference) → \(toReference)", values)
  }

  // MARK: - /ui/events

  func eventsPage(_ parameters: [String: String]) throws(RegistryError) -> Page {
    let model = parameters["model"].flatMap { $0.isEmpty ? nil : $0 }
    let action = parameters["action"].flatMap { $0.isEmpty ? nil : $0 }
    let before = parameters["before"].flatMap { Int64($0) }
    // One more than a page tells whether there is an older page.
    let events = try registry.events(model: model, action: action, before: before, limit: Self.eventsPerPage + 1)
    let shown = events.prefix(Self.eventsPerPage)
    var values: [String: Any] = [
      "model": model ?? "",
      "actions": try registry.eventActions().map { ["name": $0, "selected": $0 == action] },
      "events": shown.map { event -> [String: Any] in
        var row: [String: Any] = [
          "id": event.id, "at": Format.time(event.at), "actor": event.actor, "action": event.action,
          "model": event.model ?? "", "detail": Self.keyValues(json: event.detail),
        ]
        if let model = event.model, let number = event.version {
          row["reference"] = "\(model):\(number)"
          row["link"] = Links.version(model, number)
        }
        return row
      },
    ]
    var filters = ""
    if let model { filters += "model=\(HTML.urlComponent(model))&" }
    if let action { filters += "action=\(HTML.urlComponent(action))&" }
    var pager: [String: Any] = [:]
    if before != nil { pager["previous"] = "/ui/events" + (filters.isEmpty ? "" : "?" + String(filters.dropLast())) }
    if events.count > Self.eventsPerPage, let last = shown.last {
      pager["next"] = "/ui/events?\(filters)before=\(last.id)"
    }
    if !pager.isEmpty {
      pager["label"] = shown.isEmpty ? "" : "events \(shown.last?.id ?? 0)–\(shown.first?.id ?? 0)"
      values["pager"] = pager
    }
    return render("events", title: "Events", values)
  }

  // MARK: - /ui/store

  func storePage() throws(RegistryError) -> Page {
    let statistics = try registry.statistics()
    func maintenance(_ event: (at: String, detail: String)?) -> [String: Any]? {
      event.map { ["at": Format.time($0.at), "detail": Self.keyValues(json: $0.detail)] }
    }
    var values: [String: Any] = [
      "logical": Format.bytes(statistics.logicalBytes), "stored": Format.bytes(statistics.storedBytes),
      "ratio": statistics.deduplicationRatio.map { String(format: "%.2f×", $0) } ?? "—",
      "objects": Format.count(statistics.objects), "objectBytes": Format.bytes(statistics.objectBytes),
      "models": Format.count(statistics.models), "versions": Format.count(statistics.liveVersions),
      "removed": Format.count(statistics.removedVersions),
    ]
    if let gc = maintenance(statistics.lastCollection) { values["gc"] = gc }
    if let fsck = maintenance(statistics.lastCheck) { values["fsck"] = fsck }
    let growth = Charts.growth(statistics.growth)
    if !growth.isEmpty { values["growth"] = growth }
    return render("store", title: "Store", values)
  }
}

/// The search box's language: words match model names; `key:value` terms are `registry query`
/// options (`op:`, `tensor:`, `digest:`, `input:`, `output:`, `meta:`, `model:`); the word `any`
/// switches from AND to OR.
struct SearchQuery {
  var words: [String] = []
  var query = VersionQuery()
  var problem: String?

  init(_ text: String) {
    for term in text.split(whereSeparator: \.isWhitespace).map(String.init) {
      if term.lowercased() == "any" {
        query.matchAll = false
        continue
      }
      guard let colon = term.firstIndex(of: ":") else {
        words.append(term)
        continue
      }
      let key = term[..<colon].lowercased()
      let value = String(term[term.index(after: colon)...])
      guard !value.isEmpty else {
        problem = "\"\(term)\" has no value after ':'"
        continue
      }
      switch key {
      case "op": query.ops.append(value)
      case "tensor": query.tensorNames.append(value)
      case "digest", "sha256": query.digests.append(key == "sha256" ? term : value)
      case "input": query.inputDtypes.append(value)
      case "output": query.outputDtypes.append(value)
      case "meta": query.metadata.append(value)
      case "model": query.models.append(value)
      default: problem = "unknown search term \"\(key):\"; use op:, tensor:, digest:, input:, output:, meta: or model:"
      }
    }
  }
}
