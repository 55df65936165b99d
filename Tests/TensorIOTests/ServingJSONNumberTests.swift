import RegistryTestSupport
import Testing

@testable import TensorIO

/// `ServingJSON`'s numbers: most are built from their digits without text (`Parser.exactly`), the
/// rest through `Int64`, `UInt64` and `Double` parsing of the text. Either way each must be the
/// value that text parsing gives, to the bit.
@Suite("ServingJSON numbers")
struct ServingJSONNumberTests {
  /// What text parsing makes of a JSON number literal: an integer literal that fits Int64 or
  /// UInt64 stays one, anything else is the nearest double.
  func expected(_ literal: String) -> ServingJSON {
    if !literal.contains(where: { ".eE".contains($0) }) {
      if let value = Int64(literal) { return .int(value) }
      if let value = UInt64(literal) { return .uint(value) }
    }
    return .double(Double(literal)!)
  }

  func parsed(_ literal: String) throws -> ServingJSON {
    guard case .array(let elements) = try ServingJSON.parse(Array("[\(literal)]".utf8)), elements.count == 1 else {
      Issue.record("\(literal) did not parse to one element")
      return .null
    }
    return elements[0]
  }

  func check(_ literal: String) throws {
    let value = try parsed(literal)
    switch (value, expected(literal)) {
    case (.double(let got), .double(let want)):
      #expect(got.bitPattern == want.bitPattern, "\(literal): \(got) instead of \(want)")
    case (let got, let want):
      #expect(got == want, "\(literal): \(got) instead of \(want)")
    }
  }

  @Test("edge literals parse as their text does")
  func edges() throws {
    let literals = [
      "0", "-0", "0.0", "-0.0", "0e0", "-0e-0", "1", "-1", "0.1", "-0.1", "0.30000000000000004",
      "123456789012345678", "-123456789012345678", "1234567890123456789", "9223372036854775807",
      "-9223372036854775808", "9223372036854775808", "18446744073709551615", "18446744073709551616",
      "9007199254740992.0", "9007199254740993.0", "9007199254740993e0", "900719925474099.3e1",
      "1e22", "1e23", "1e-22", "1e-23", "4.9e-324", "2.4e-324", "1.7976931348623157e308", "1e309",
      "-1e309", "2.2250738585072014e-308", "0.000001234", "123456.789e-3", "1E5", "1e+5",
      "12345678901234567890.5", "0.1234567890123456789", "1e1000000000000",
    ]
    for literal in literals { try check(literal) }
  }

  @Test("random literals parse as their text does")
  func random() throws {
    var generator = SeededGenerator(seed: 7)
    func digits(_ count: Int) -> String {
      String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
    for _ in 0..<20_000 {
      var literal = Bool.random(using: &generator) ? "-" : ""
      let integerDigits = Int.random(in: 1...12, using: &generator)
      let head = digits(integerDigits)
      // JSON allows no leading zero before other digits.
      literal += head.count > 1 && head.first == "0" ? "1" + head.dropFirst() : head
      if Int.random(in: 0..<4, using: &generator) > 0 {
        literal += "." + digits(Int.random(in: 1...12, using: &generator))
      }
      if Int.random(in: 0..<3, using: &generator) == 0 {
        literal += ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)!
        literal += String(Int.random(in: 0...40, using: &generator))
      }
      try check(literal)
    }
  }

  @Test("arrays of different widths at one depth keep their own elements")
  func raggedArrays() throws {
    let value = try ServingJSON.parse(Array("[[1,2,3],[4],[5,6,7,8,9],[],[10,11]]".utf8))
    let rows: [[Int64]] = [[1, 2, 3], [4], [5, 6, 7, 8, 9], [], [10, 11]]
    #expect(value == .array(rows.map { row in .array(row.map { .int($0) }) }))
  }
}
