/// Lower- and uppercasing as TensorFlow's `StringLower`/`StringUpper` do it.
///
/// With no encoding only ASCII letters change (`absl::AsciiStrToLower`), bytes above 0x7F pass
/// through. With `utf-8`, ICU's full Unicode mappings apply (`ß` uppercases to `SS`, `İ`
/// lowercases to `i̇`, a final capital sigma lowercases to `ς`), and undecodable bytes become
/// U+FFFD, one per maximal invalid subsequence, as ICU's converter does.
package enum CaseMapping {
  package static func lowercased(_ bytes: [UInt8], unicode: Bool) -> [UInt8] {
    guard unicode else { return bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 } }
    let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    var output = String.UnicodeScalarView()
    for (index, scalar) in scalars.enumerated() {
      if scalar == "\u{03A3}" && isFinalSigma(at: index, in: scalars) {
        output.append("\u{03C2}")
      } else {
        output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
      }
    }
    return Array(String(output).utf8)
  }

  package static func uppercased(_ bytes: [UInt8], unicode: Bool) -> [UInt8] {
    guard unicode else { return bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 } }
    var output = String.UnicodeScalarView()
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
      output.append(contentsOf: scalar.properties.uppercaseMapping.unicodeScalars)
    }
    return Array(String(output).utf8)
  }

  /// Unicode's Final_Sigma condition: a cased letter before (case-ignorable characters
  /// between), and no cased letter after.
  private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
    var before = index - 1
    while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
    guard before >= 0, scalars[before].properties.isCased else { return false }
    var after = index + 1
    while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
    return !(after < scalars.count && scalars[after].properties.isCased)
  }
}
