import TensorKernels

/// Reads a vocabulary file into table entries the way TensorFlow's
/// `InitializeTableFromTextFileV2` does (`lookup_util.cc`, `TextFileLineIterator`).
///
/// Lines end at `\n` (a trailing `\r` is dropped); a last line without newline counts, an empty
/// last segment does not. An empty line is an error. Each line gives one key and one value,
/// chosen by index: `-2` the whole line, `-1` the line number plus `offset`, `k >= 0` the k-th
/// field split on `delimiter`. `vocabSize` (`-1` for all) truncates the file, or fails when the
/// file is shorter. Integer fields parse like `StringToNumber`; an `int32` field also gets
/// `offset` added (TensorFlow does so).
package struct TextFileInitializer {
  package static let wholeLine = -2
  package static let lineNumber = -1

  package let keyIndex: Int
  package let valueIndex: Int
  package let delimiter: UInt8
  package let vocabSize: Int
  package let offset: Int64

  /// The node's column choices: key and value index (`wholeLine`, `lineNumber` or a field), the
  /// field delimiter, `vocab_size` (`-1` for all lines) and the line-number offset.
  package init(keyIndex: Int, valueIndex: Int, delimiter: UInt8, vocabSize: Int, offset: Int64) {
    self.keyIndex = keyIndex
    self.valueIndex = valueIndex
    self.delimiter = delimiter
    self.vocabSize = vocabSize
    self.offset = offset
  }

  /// Checks the column choices against the table's dtypes, before the file is read.
  package func validate(keyType: DType, valueType: DType) throws(TextError) {
    if keyIndex == Self.lineNumber && keyType != .int64 {
      throw TextError("key index for line number requires table key dtype of int64, got \(keyType)")
    }
    if keyIndex == Self.wholeLine && !keyType.isInteger && keyType != .string {
      throw TextError("key index for whole line requires string or integer table key, got \(keyType)")
    }
    if valueIndex == Self.lineNumber && valueType != .int64 {
      throw TextError("value index for line number requires table value dtype of int64, got \(valueType)")
    }
    if valueIndex == Self.wholeLine && !valueType.isInteger && valueType != .string {
      throw TextError("value index for whole line requires table value dtype of integer or string, got \(valueType)")
    }
  }

  /// The entries of a vocabulary file's contents.
  ///
  /// - Parameter file: the file's path, for messages.
  package func entries(_ contents: [UInt8], file: String, keyType: DType, valueType: DType) throws(TextError) -> [(
    TableScalar, TableScalar
  )] {
    var entries: [(TableScalar, TableScalar)] = []
    var start = 0
    var lineNumber = 0
    let columns = max(keyIndex, valueIndex) + 1
    while start < contents.count {
      let newline = contents[start...].firstIndex(of: UInt8(ascii: "\n"))
      let end = newline ?? contents.count
      var line = Array(contents[start..<end])
      if line.last == UInt8(ascii: "\r") { line.removeLast() }
      start = newline.map { $0 + 1 } ?? contents.count
      if newline == nil && line.isEmpty { break }
      if vocabSize != -1 && lineNumber >= vocabSize { break }
      guard !line.isEmpty else {
        throw TextError("invalid content in \(file): empty line found at position \(start)")
      }
      var fields: [[UInt8]] = []
      if columns > 0 {
        fields = line.split(separator: delimiter, omittingEmptySubsequences: false).map(Array.init)
        guard fields.count >= columns else {
          throw TextError(
            "invalid number of columns in \(file) line \(lineNumber) (\(String(decoding: line, as: UTF8.self))): expected at least \(columns) got \(fields.count)"
          )
        }
      }
      let key = try value(line, fields, index: keyIndex, type: keyType, lineNumber: lineNumber)
      let value = try value(line, fields, index: valueIndex, type: valueType, lineNumber: lineNumber)
      entries.append((key, value))
      lineNumber += 1
    }
    if vocabSize != -1 && lineNumber < vocabSize {
      throw TextError("invalid vocab_size in \(file): expected \(vocabSize) but got \(lineNumber)")
    }
    if entries.isEmpty { throw TextError(contents.isEmpty ? "\(file) is empty" : "\(file) has no lines") }
    return entries
  }

  private func value(_ line: [UInt8], _ fields: [[UInt8]], index: Int, type: DType, lineNumber: Int) throws(TextError)
    -> TableScalar
  {
    if index == Self.lineNumber { return .integer(Int64(lineNumber) + offset) }
    let field = index == Self.wholeLine ? line : fields[index]
    let text = String(decoding: field, as: UTF8.self)
    switch type {
    case .string:
      return .bytes(field)
    case .int32:
      guard let parsed = NumberParsing.int32(field) else {
        throw TextError("field \(text) in line \(lineNumber) is not a valid int32")
      }
      return .integer(Int64(Int32(truncatingIfNeeded: Int64(parsed) + offset)))
    case .int64:
      guard let parsed = NumberParsing.int64(field) else {
        throw TextError("field \(text) in line \(lineNumber) is not a valid int64")
      }
      return .integer(parsed)
    case .float32:
      guard let parsed = NumberParsing.float(field) else {
        throw TextError("field \(text) in line \(lineNumber) is not a valid float")
      }
      return .real(Double(parsed))
    case .float64:
      guard let parsed = NumberParsing.double(field) else {
        throw TextError("field \(text) in line \(lineNumber) is not a valid double")
      }
      return .real(parsed)
    default:
      throw TextError("data type \(type) not supported in vocabulary files")
    }
  }
}
