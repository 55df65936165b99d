import ArgumentParser
import Foundation
import SavedModelFormat

/// Left-aligned columns separated by two spaces.
enum Table {
  static func print(header: [String], rows: [[String]], indent: Int) {
    let all = [header] + rows
    var widths = [Int](repeating: 0, count: header.count)
    for row in all {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    let pad = String(repeating: " ", count: indent)
    for row in all {
      let cells = row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }
      Output.line(pad + cells.joined(separator: "  ").trimmingTrailingSpaces())
    }
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var copy = self
    while copy.last == " " { copy.removeLast() }
    return copy
  }
}
