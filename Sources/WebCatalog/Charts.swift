import Foundation
import Registry

/// The pages' SVG pictures, drawn on the server so they need no script. Colours come from the
/// stylesheet (classes only: the Content-Security-Policy forbids inline styles), so they follow
/// the light or dark scheme; every label is escaped.
enum Charts {
  /// A node of the lineage graph.
  struct LineageNode {
    let reference: String
    let label: String
    let link: String
    let aliases: [String]
    let parent: String?
    /// A version of another model (a fine-tune's base) or one not on this page; its caption
    /// (in `aliases`) is its reference, not an alias.
    let external: Bool
    let removed: Bool
  }

  /// Versions left to right, oldest first, external parents on a lane above; edges from parent
  /// to child, arcing over the versions in between; aliases under their node.
  static func lineage(_ nodes: [LineageNode]) -> String {
    guard !nodes.isEmpty else { return "" }
    let spacing = 72.0
    let radius = 16.0
    let upper = 32.0
    // The upper lane is drawn only when some parent lives outside this page or model.
    let baseline = nodes.contains(where: \.external) ? 96.0 : upper
    var position: [String: (x: Double, y: Double)] = [:]
    var column = 0
    for node in nodes where node.external {
      position[node.reference] = (40 + Double(column) * spacing, upper)
      column += 1
    }
    var mainColumn = 0
    for node in nodes where !node.external {
      position[node.reference] = (40 + Double(mainColumn) * spacing, baseline)
      mainColumn += 1
    }
    let maxAliases = nodes.map(\.aliases.count).max() ?? 0
    let width = 80 + Double(max(column, mainColumn) - 1) * spacing
    let height = baseline + radius + 24 + Double(maxAliases) * 14
    var svg =
      "<svg class=\"lineage\" role=\"img\" aria-label=\"lineage graph\" xmlns=\"http://www.w3.org/2000/svg\" "
      + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">"
    svg += "<title>Lineage: versions as nodes, arrows from parent to child</title>"
    svg +=
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
    svg += "orient=\"auto-start-reverse\"><path class=\"arrowhead\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>"
    for node in nodes {
      guard let parent = node.parent, let from = position[parent], let to = position[node.reference] else { continue }
      let path: String
      if from.y == to.y {
        let rise = to.x - from.x > spacing + 1 ? min(60, (to.x - from.x) / 4) : 0
        path =
          "M \(fmt(from.x + radius)) \(fmt(from.y)) C \(fmt(from.x + radius + rise)) \(fmt(from.y - rise * 1.5)), "
          + "\(fmt(to.x - radius - rise)) \(fmt(to.y - rise * 1.5)), \(fmt(to.x - radius)) \(fmt(to.y))"
      } else {
        path = "M \(fmt(from.x)) \(fmt(from.y + radius)) L \(fmt(to.x - radius * 0.7)) \(fmt(to.y - radius * 0.7))"
      }
      svg += "<path class=\"edge\" d=\"\(path)\" marker-end=\"url(#arrow)\"/>"
    }
    for node in nodes {
      guard let at = position[node.reference] else { continue }
      let classes = ["node", node.external ? "external" : "", node.removed ? "removed" : ""].filter { !$0.isEmpty }
      svg += "<a href=\"\(HTML.escape(node.link))\"><g class=\"\(classes.joined(separator: " "))\">"
      svg += "<title>\(HTML.escape(node.reference))\(node.removed ? " (removed)" : "")</title>"
      svg += "<circle cx=\"\(fmt(at.x))\" cy=\"\(fmt(at.y))\" r=\"\(fmt(radius))\"/>"
      svg +=
        "<text x=\"\(fmt(at.x))\" y=\"\(fmt(at.y + 4))\" text-anchor=\"middle\">\(HTML.escape(node.label))</text></g></a>"
      for (row, alias) in node.aliases.enumerated() {
        let y = at.y + radius + 16 + Double(row) * 14
        svg +=
          "<text class=\"alias\" x=\"\(fmt(at.x))\" y=\"\(fmt(y))\" text-anchor=\"middle\">"
          + "\(node.external ? "" : "@")\(HTML.escape(alias))</text>"
      }
    }
    return svg + "</svg>"
  }

  /// Changed tensors as horizontal bars of their mean |Δ| (largest first), with sizes.
  static func changeBars(_ changes: [VersionDiff.TensorChange], limit: Int = 30) -> String {
    let measured = changes.compactMap { change in change.meanAbsDifference.map { (change, $0) } }
      .sorted { $0.1 > $1.1 }.prefix(limit)
    guard let largest = measured.first?.1 else { return "" }
    let labelWidth = 260.0
    let barWidth = 300.0
    let row = 22.0
    let width = labelWidth + barWidth + 170
    let height = Double(measured.count) * row + 8
    var svg =
      "<svg class=\"bars\" role=\"img\" aria-label=\"mean absolute change per tensor\" "
      + "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
      + "height=\"\(Int(height))\"><title>Changed tensors by mean |Δ|</title>"
    for (index, (change, mean)) in measured.enumerated() {
      let y = 4 + Double(index) * row
      let length = largest > 0 ? max(1, barWidth * mean / largest) : 1
      let name = label(change.name)
      svg += "<g class=\"bar\"><title>\(HTML.escape(change.name)): mean |Δ| \(Format.decimal(mean))</title>"
      svg +=
        "<text class=\"label\" x=\"\(fmt(labelWidth - 8))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\">"
        + "\(HTML.escape(String(name)))</text>"
      svg += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(length))\" height=\"\(fmt(row - 6))\"/>"
      svg +=
        "<text class=\"value\" x=\"\(fmt(labelWidth + length + 6))\" y=\"\(fmt(y + 15))\">"
        + "\(HTML.escape(Format.decimal(mean))) · \(HTML.escape(Format.bytes(change.size.after)))</text></g>"
    }
    return svg + "</svg>"
  }

  /// Cumulative logical and stored bytes over pushes, as two lines (at most `points` samples).
  static func growth(_ series: [StoreStatistics.Point], points: Int = 200) -> String {
    guard series.count >= 2, let last = series.last else { return "" }
    let step = max(1, series.count / points)
    var sampled = stride(from: 0, to: series.count, by: step).map { series[$0] }
    if sampled.last?.at != last.at { sampled.append(last) }
    let width = 640.0
    let height = 200.0
    let left = 70.0
    let bottom = 24.0
    let top = 10.0
    let maximum = Double(max(1, sampled.map { max($0.logicalBytes, $0.storedBytes) }.max() ?? 1))
    func x(_ index: Int) -> Double { left + (width - left - 10) * Double(index) / Double(max(1, sampled.count - 1)) }
    func y(_ value: Int64) -> Double { height - bottom - (height - bottom - top) * Double(value) / maximum }
    func line(_ value: (StoreStatistics.Point) -> Int64) -> String {
      sampled.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y(value($0.element))))" }.joined(separator: " ")
    }
    var svg =
      "<svg class=\"growth\" role=\"img\" aria-label=\"bytes stored and logical over time\" "
      + "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
      + "height=\"\(Int(height))\"><title>Logical bytes pushed vs bytes written, cumulative</title>"
    svg += "<line class=\"axis\" x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - 10))\" "
    svg += "y2=\"\(fmt(height - bottom))\"/><line class=\"axis\" x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" "
    svg += "x2=\"\(fmt(left))\" y2=\"\(fmt(height - bottom))\"/>"
    svg += "<text class=\"tick\" x=\"\(fmt(left - 6))\" y=\"\(fmt(top + 8))\" text-anchor=\"end\">"
    svg += "\(HTML.escape(Format.bytes(Int64(maximum))))</text>"
    svg += "<text class=\"tick\" x=\"\(fmt(left - 6))\" y=\"\(fmt(height - bottom))\" text-anchor=\"end\">0</text>"
    svg += "<polyline class=\"logical\" points=\"\(line(\.logicalBytes))\"/>"
    svg += "<polyline class=\"stored\" points=\"\(line(\.storedBytes))\"/>"
    let first = sampled.first.map { Format.exact($0.at) } ?? ""
    svg += "<text class=\"tick\" x=\"\(fmt(left))\" y=\"\(fmt(height - 6))\">\(HTML.escape(first))</text>"
    svg += "<text class=\"tick\" x=\"\(fmt(width - 10))\" y=\"\(fmt(height - 6))\" text-anchor=\"end\">"
    svg += "\(HTML.escape(Format.exact(last.at)))</text>"
    return svg + "</svg>"
  }

  private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

  /// A tensor name short enough for the chart's label column: without the suffix every
  /// object-graph checkpoint key shares, and cut from the left (the end names the variable).
  static func label(_ name: String) -> String {
    var short = name
    if short.hasSuffix("/.ATTRIBUTES/VARIABLE_VALUE") { short.removeLast("/.ATTRIBUTES/VARIABLE_VALUE".count) }
    return short.count > 34 ? "…" + short.suffix(33) : short
  }
}
