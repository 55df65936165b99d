/// `StringNGrams` (`string_ngrams_op.cc`; `tf.strings.ngrams`, Keras `TextVectorization(ngrams=…)`):
/// for each row of a ragged batch of tokens, the n-grams of every requested width, joined by a
/// separator, optionally padded on the left and right.
package enum NGrams {
  package struct Options: Sendable {
    package var separator: [UInt8]
    package var widths: [Int]
    package var leftPad: [UInt8]
    package var rightPad: [UInt8]
    /// Pads on each side; negative means `width - 1`. Never more than `width - 1` is used.
    package var padWidth: Int
    /// A non-empty row too short for any n-gram gives one n-gram of all its tokens (padded).
    package var preserveShortSequences: Bool

    package init(
      separator: [UInt8], widths: [Int], leftPad: [UInt8], rightPad: [UInt8], padWidth: Int,
      preserveShortSequences: Bool
    ) {
      self.separator = separator
      self.widths = widths
      self.leftPad = leftPad
      self.rightPad = rightPad
      self.padWidth = padWidth
      self.preserveShortSequences = preserveShortSequences
    }

    func padding(_ width: Int) -> Int { min(padWidth < 0 ? width - 1 : padWidth, width - 1) }

    func count(_ length: Int, _ width: Int) -> Int { max(0, length + 2 * padding(width) - width + 1) }
  }

  /// The n-gram row splits for `splits` (TensorFlow's checks and messages), before anything is
  /// joined, so the caller can check the output's size first. Empty `splits`, or no tokens, give
  /// no n-grams (and splits of zeros).
  package static func splits(_ splits: [Int], tokens: Int, _ options: Options) throws(TextError) -> [Int] {
    if options.widths.contains(where: { $0 <= 0 }) { throw TextError("ngram_widths must contain positive values") }
    if let first = splits.first {
      guard first == 0 else { throw TextError("First split value must be 0, got \(first)") }
      var previous = first
      for split in splits.dropFirst() {
        guard split >= previous && split <= tokens else {
          throw TextError("Invalid split value \(split), must be in [\(previous), \(tokens)]")
        }
        previous = split
      }
      guard previous == tokens else {
        throw TextError("Last split value must be data size. Expected \(tokens), got \(previous)")
      }
    }
    if tokens == 0 || splits.isEmpty { return [Int](repeating: 0, count: splits.count) }
    var result = [0]
    for row in 1..<splits.count {
      let length = splits[row] - splits[row - 1]
      var count = 0
      for width in options.widths {
        // Widths and pads come from attributes, rows from input: the sums are checked.
        let (sum, overflow) = count.addingReportingOverflow(options.count(length, width))
        guard !overflow else { throw TextError("the n-gram count overflows") }
        count = sum
      }
      if options.preserveShortSequences && length > 0 && count == 0 { count = 1 }
      let (total, overflow) = result[row - 1].addingReportingOverflow(count)
      guard !overflow else { throw TextError("the n-gram count overflows") }
      result.append(total)
    }
    return result
  }

  /// The n-grams of each row, row by row and, within a row, width by width in the order given.
  ///
  /// - Precondition: `splits` passed `splits(_:tokens:_:)`.
  package static func ngrams(_ tokens: [[UInt8]], splits: [Int], _ options: Options) throws(TextError) -> [[UInt8]] {
    var output: [[UInt8]] = []
    if tokens.isEmpty || splits.isEmpty { return output }
    for row in 0..<(splits.count - 1) {
      let rowTokens = tokens[splits[row]..<splits[row + 1]]
      let before = output.count
      for width in options.widths {
        append(rowTokens, count: options.count(rowTokens.count, width), width: width, options, to: &output)
      }
      if options.preserveShortSequences && output.count == before && !rowTokens.isEmpty {
        guard options.padWidth >= 0 else {
          throw TextError(
            "Pad width should be >= 0 when preserve_short_sequences is True and ngram_widths are not provided, got "
              + "\(options.padWidth)")
        }
        append(rowTokens, count: 1, width: rowTokens.count + 2 * options.padWidth, options, to: &output)
      }
    }
    return output
  }

  /// TensorFlow's `CreateNgrams`: `count` n-grams of `width`, the first ones starting in the
  /// left padding and the last ones ending in the right padding.
  private static func append(
    _ tokens: ArraySlice<[UInt8]>, count: Int, width: Int, _ options: Options, to output: inout [[UInt8]]
  ) {
    let pad = options.padding(width)
    let separator = options.separator
    for index in 0..<count {
      let left = max(0, pad - index)
      let right = max(0, pad - (count - (index + 1)))
      let used = width - (left + right)
      let first = tokens.startIndex + (left > 0 ? 0 : index - pad)
      var ngram: [UInt8] = []
      for _ in 0..<left { ngram += options.leftPad + separator }
      for offset in 0..<max(0, used - 1) { ngram += tokens[first + offset] + separator }
      if used > 0 {
        ngram += tokens[first + used - 1]
        for _ in 0..<right { ngram += separator + options.rightPad }
      } else {
        // No tokens: the left padding ended with a separator; end with a pad, not a separator.
        for _ in 0..<max(0, right - 1) { ngram += options.rightPad + separator }
        ngram += options.rightPad
      }
      output.append(ngram)
    }
  }

  /// The bytes `ngrams` will write, without writing them, for a size check first; nil when the
  /// count overflows.
  package static func outputBytes(_ tokens: [[UInt8]], splits: [Int], _ options: Options) -> Int64? {
    guard !tokens.isEmpty, !splits.isEmpty else { return 0 }
    var total: Int64 = 0
    let separator = Int64(options.separator.count)
    for row in 0..<(splits.count - 1) {
      var rowBytes: Int64 = 0
      for token in tokens[splits[row]..<splits[row + 1]] { rowBytes += Int64(token.count) }
      // Each n-gram is at most every token of the row plus its pads and separators.
      let length = Int64(splits[row + 1] - splits[row])
      var widths = options.widths
      if options.preserveShortSequences { widths.append(Int(length) + 2 * max(0, options.padWidth)) }
      for width in widths {
        let count = Int64(options.count(Int(length), width))
        let pads = Int64(max(0, options.padding(width))) * Int64(max(options.leftPad.count, options.rightPad.count))
        let (perNGram, o1) = (rowBytes + 2 * pads).addingReportingOverflow(Int64(width) * (separator + 24))
        let (bytes, o2) = max(count, 1).multipliedReportingOverflow(by: perNGram)
        let (sum, o3) = total.addingReportingOverflow(bytes)
        if o1 || o2 || o3 { return nil }
        total = sum
      }
    }
    return total
  }
}
