/// `StringSplitV2`'s splitting of one string (`string_split_op.cc`, `SplitV2`), which follows
/// Python's `str.split`.
///
/// An empty separator splits on runs of ASCII whitespace (` \t\n\v\f\r`) and drops empty pieces;
/// a separator splits on each occurrence of it exactly, keeping empty pieces (`"a,,b"` gives
/// `a`, ``, `b`; `""` gives one empty piece). `maxSplit > 0` stops after that many splits, the
/// rest (leading whitespace removed, when splitting on whitespace) becoming the last piece, even
/// if empty; `maxSplit == 0` returns the string whole.
package enum StringSplitting {
  package static func split(_ text: [UInt8], separator: [UInt8], maxSplit: Int) -> [ArraySlice<UInt8>] {
    var rest = text[...]
    if maxSplit == 0 { return [rest] }
    var pieces: [ArraySlice<UInt8>] = []
    var splits = 0
    if separator.isEmpty {
      rest = rest.drop(while: NumberParsing.isSpace)
      while !rest.isEmpty {
        let end = rest.firstIndex(where: NumberParsing.isSpace) ?? rest.endIndex
        pieces.append(rest[rest.startIndex..<end])
        rest = rest[end...].drop(while: NumberParsing.isSpace)
        splits += 1
        if maxSplit > 0 && splits == maxSplit {
          pieces.append(rest)
          return pieces
        }
      }
      return pieces
    }
    while let start = firstIndex(of: separator, in: rest) {
      pieces.append(rest[rest.startIndex..<start])
      rest = rest[(start + separator.count)...]
      splits += 1
      if maxSplit > 0 && splits == maxSplit { break }
    }
    pieces.append(rest)
    return pieces
  }

  private static func firstIndex(of separator: [UInt8], in text: ArraySlice<UInt8>) -> Int? {
    guard separator.count <= text.count, let first = separator.first else { return nil }
    var index = text.startIndex
    while index + separator.count <= text.endIndex {
      if text[index] == first && text[index..<(index + separator.count)].elementsEqual(separator) { return index }
      index += 1
    }
    return nil
  }
}
