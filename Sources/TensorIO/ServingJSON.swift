#if canImport(Glibc)
  import Glibc
#endif

/// A JSON document as TensorFlow Serving's REST API reads it (RapidJSON with `NaN`, `Infinity` and
/// `-Infinity` allowed), keeping what JSONSerialization loses: whether a number was written as an
/// integer (`1` goes into an int32 input, `1.0` does not) and the order of an object's keys.
///
/// Format reference: tensorflow/serving `util/json_tensor.cc` (`ParseJson`, `kParseNanAndInfFlag`).
///
/// Not `indirect`: arrays already hold their elements out of line, and boxing every value cost an
/// allocation and a release per number (150,528 for one 224×224×3 image).
package enum ServingJSON: Sendable, Equatable {
  case null
  case bool(Bool)
  /// An integer literal that fits `Int64`.
  case int(Int64)
  /// An integer literal above `Int64.max` that fits `UInt64`.
  case uint(UInt64)
  /// A literal with a fraction or exponent, an integer too large for 64 bits, `NaN` or an infinity.
  case double(Double)
  case string(String)
  case array([ServingJSON])
  /// Members in the order written; a repeated key keeps every occurrence (lookups take the first,
  /// as RapidJSON's `FindMember` does).
  case object([(key: String, value: ServingJSON)])

  /// Deeper nesting is refused before it can exhaust the stack; a tensor has at most 254
  /// dimensions (TensorFlow's `TensorShape::MaxDimensions`), so nothing useful is lost.
  package static let maximumDepth = 300

  package static func == (lhs: ServingJSON, rhs: ServingJSON) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.int(let a), .int(let b)): a == b
    case (.uint(let a), .uint(let b)): a == b
    case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// The first member named `key`, for an object.
  package subscript(key: String) -> ServingJSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  package var isNumber: Bool {
    switch self {
    case .int, .uint, .double: true
    default: false
    }
  }

  /// The number as a double (what RapidJSON's `GetDouble` gives), for any number.
  package var doubleValue: Double? {
    switch self {
    case .int(let value): Double(value)
    case .uint(let value): Double(value)
    case .double(let value): value
    default: nil
    }
  }

  /// A `{"b64": "<string>"}` object: exactly one member, named `b64`, holding a string.
  package var base64Text: String? {
    guard case .object(let members) = self, members.count == 1, members[0].key == "b64",
      case .string(let text) = members[0].value
    else { return nil }
    return text
  }

  /// RapidJSON's type name, as TensorFlow Serving's messages print it.
  package var typeName: String {
    switch self {
    case .null: "Null"
    case .bool(let value): value ? "True" : "False"
    case .int, .uint, .double: "Number"
    case .string: "String"
    case .array: "Array"
    case .object: "Object"
    }
  }

  /// The value written back as compact JSON, for error messages (TensorFlow Serving pretty-prints
  /// them; the content is the same).
  package var text: String {
    var writer = ServingJSONWriter()
    writer.value(self)
    return writer.string
  }

  // MARK: - Parsing

  /// Parses a whole document.
  ///
  /// - Throws: `invalidArgument` with TensorFlow Serving's wording: "JSON Parse error: The document
  ///   is empty" for an empty body, else "JSON Parse error: <what> at offset: <n>".
  package static func parse(_ bytes: [UInt8]) throws(TensorIOError) -> ServingJSON {
    var parser = Parser(bytes: bytes)
    parser.skipSpace()
    guard parser.index < bytes.count else {
      throw TensorIOError.invalid("JSON Parse error: The document is empty", file: nil)
    }
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.index == bytes.count else {
      throw parser.failure("The document root must not be followed by other values")
    }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var index = 0
    /// `arrayWidths[depth]`: how many elements the last array at that depth had. A tensor's
    /// arrays at one depth are all alike, so each new one reserves that much room at once rather
    /// than growing element by element.
    var arrayWidths = [Int](repeating: 0, count: ServingJSON.maximumDepth + 2)

    init(bytes: [UInt8]) { self.bytes = bytes }

    func failure(_ what: String, at offset: Int? = nil) -> TensorIOError {
      TensorIOError.invalid("JSON Parse error: \(what) at offset: \(offset ?? index)", file: nil)
    }

    mutating func skipSpace() {
      while index < bytes.count {
        switch bytes[index] {
        case 0x20, 0x09, 0x0A, 0x0D: index += 1
        default: return
        }
      }
    }

    mutating func value(depth: Int) throws(TensorIOError) -> ServingJSON {
      guard depth < ServingJSON.maximumDepth else {
        throw failure("Nesting deeper than \(ServingJSON.maximumDepth) levels")
      }
      skipSpace()
      guard index < bytes.count else { throw failure("Invalid value.") }
      switch bytes[index] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"):
        try literal("true")
        return .bool(true)
      case UInt8(ascii: "f"):
        try literal("false")
        return .bool(false)
      case UInt8(ascii: "n"):
        try literal("null")
        return .null
      case UInt8(ascii: "N"):
        try literal("NaN")
        return .double(.nan)
      case UInt8(ascii: "I"):
        try literal("Infinity")
        return .double(.infinity)
      default: return try number()
      }
    }

    mutating func literal(_ word: StaticString) throws(TensorIOError) {
      let start = index
      let count = word.utf8CodeUnitCount
      guard index + count <= bytes.count else { throw failure("Invalid value.", at: start) }
      let matches = word.withUTF8Buffer { expected in
        (0..<count).allSatisfy { bytes[start + $0] == expected[$0] }
      }
      guard matches else { throw failure("Invalid value.", at: start) }
      index += count
    }

    mutating func object(depth: Int) throws(TensorIOError) -> ServingJSON {
      index += 1
      var members: [(key: String, value: ServingJSON)] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw failure("Missing a name for object member.")
        }
        let key = try string()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
          throw failure("Missing a colon after a name of object member.")
        }
        index += 1
        members.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard index < bytes.count else { throw failure("Missing a comma or '}' after an object member.") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        guard bytes[index] == UInt8(ascii: "}") else { throw failure("Missing a comma or '}' after an object member.") }
        index += 1
        return .object(members)
      }
    }

    mutating func array(depth: Int) throws(TensorIOError) -> ServingJSON {
      index += 1
      var elements: [ServingJSON] = []
      // A lying width costs at most what the previous array held; never more than the bytes left.
      elements.reserveCapacity(min(arrayWidths[depth], (bytes.count - index) / 2))
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        elements.append(try value(depth: depth + 1))
        skipSpace()
        guard index < bytes.count else { throw failure("Missing a comma or ']' after an array element.") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        guard bytes[index] == UInt8(ascii: "]") else { throw failure("Missing a comma or ']' after an array element.") }
        index += 1
        arrayWidths[depth] = elements.count
        return .array(elements)
      }
    }

    mutating func hexDigit() throws(TensorIOError) -> UInt32 {
      guard index < bytes.count else { throw failure("Incorrect hex digit after \\u escape in string.") }
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw failure("Incorrect hex digit after \\u escape in string.", at: index - 1)
      }
    }

    mutating func unicodeEscape() throws(TensorIOError) -> UInt32 {
      var code: UInt32 = 0
      for _ in 0..<4 { code = code << 4 | (try hexDigit()) }
      return code
    }

    mutating func string() throws(TensorIOError) -> String {
      let start = index
      index += 1
      var utf8: [UInt8] = []
      while true {
        guard index < bytes.count else { throw failure("Missing a closing quotation mark in string.", at: start) }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""):
          return String(decoding: utf8, as: UTF8.self)
        case UInt8(ascii: "\\"):
          guard index < bytes.count else { throw failure("Missing a closing quotation mark in string.", at: start) }
          let escape = bytes[index]
          index += 1
          switch escape {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
          case UInt8(ascii: "b"): utf8.append(0x08)
          case UInt8(ascii: "f"): utf8.append(0x0C)
          case UInt8(ascii: "n"): utf8.append(0x0A)
          case UInt8(ascii: "r"): utf8.append(0x0D)
          case UInt8(ascii: "t"): utf8.append(0x09)
          case UInt8(ascii: "u"):
            var code = try unicodeEscape()
            if (0xD800...0xDBFF).contains(code) {
              guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
              else { throw failure("The surrogate pair in string is invalid.") }
              index += 2
              let low = try unicodeEscape()
              guard (0xDC00...0xDFFF).contains(low) else { throw failure("The surrogate pair in string is invalid.") }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
              throw failure("The surrogate pair in string is invalid.")
            }
            guard let scalar = Unicode.Scalar(code) else { throw failure("The surrogate pair in string is invalid.") }
            utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
          default:
            throw failure("Invalid escape character in string.", at: index - 1)
          }
        case 0x00..<0x20:
          throw failure("Invalid encoding in string.", at: index - 1)
        default:
          utf8.append(byte)
        }
      }
    }

    mutating func number() throws(TensorIOError) -> ServingJSON {
      let start = index
      var negative = false
      if bytes[index] == UInt8(ascii: "-") {
        negative = true
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
          try literal("Infinity")
          return .double(-.infinity)
        }
      }
      // The digits are gathered as they are scanned: every one of them (leading zeros too) into
      // `mantissa` while there are at most 19, the fraction's count, and the exponent.
      var mantissa: UInt64 = 0
      var digitCount = 0
      func gather(_ byte: UInt8) {
        if digitCount < 19 { mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0")) }
        digitCount += 1
      }
      let digitsStart = index
      while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        gather(bytes[index])
        index += 1
      }
      guard index > digitsStart else { throw failure("Invalid value.", at: start) }
      if bytes[digitsStart] == UInt8(ascii: "0"), index - digitsStart > 1 {
        throw failure("The document root must not be followed by other values", at: digitsStart + 1)
      }
      var isInteger = true
      var fractionDigits = 0
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        isInteger = false
        index += 1
        let fractionStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
          gather(bytes[index])
          index += 1
        }
        fractionDigits = index - fractionStart
        guard fractionDigits > 0 else { throw failure("Missing fraction part in number.") }
      }
      var exponent = 0
      if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        isInteger = false
        index += 1
        var exponentNegative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
          exponentNegative = bytes[index] == UInt8(ascii: "-")
          index += 1
        }
        let exponentStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
          // Only whether it is small matters below; past 10^6 it stops growing.
          if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
          index += 1
        }
        guard index > exponentStart else { throw failure("Missing exponent in number.") }
        if exponentNegative { exponent = -exponent }
      }
      if let value = Self.exactly(
        mantissa: mantissa, digitCount: digitCount, exponent: exponent - fractionDigits, negative: negative,
        isInteger: isInteger)
      {
        return value
      }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      if isInteger {
        if let value = Int64(text) { return .int(value) }
        if !negative, let value = UInt64(text) { return .uint(value) }
      }
      // Overflow gives an infinity, as RapidJSON's full-precision parse does.
      guard let value = Double(text) else { throw failure("Invalid value.", at: start) }
      return .double(value)
    }

    /// Powers of ten that a double holds exactly.
    static let exactPowersOfTen: [Double] = [
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
      1e19, 1e20, 1e21, 1e22,
    ]

    /// The number `mantissa × 10^exponent` (negated when `negative`) without going through text,
    /// when that is exact: an integer of at most 18 digits, or a mantissa of at most 2^53 with a
    /// power of ten a double holds exactly, whose one product or quotient IEEE arithmetic rounds
    /// correctly, which is what `strtod` returns (Clinger's fast path). Nil otherwise, and the
    /// caller parses the text. Most numbers in a request (`0.1234`, `-17`, `2.5e-3`) take this way.
    static func exactly(mantissa: UInt64, digitCount: Int, exponent: Int, negative: Bool, isInteger: Bool)
      -> ServingJSON?
    {
      if isInteger {
        guard digitCount <= 18 else { return nil }
        return .int(negative ? -Int64(mantissa) : Int64(mantissa))
      }
      guard digitCount <= 19, mantissa <= 1 << 53, (-22...22).contains(exponent) else { return nil }
      var value = Double(mantissa)
      value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
      return .double(negative ? -value : value)
    }
  }
}

/// Writes JSON text the way TensorFlow Serving's responses are written: floats through
/// `ServingJSONWriter.decimal`, strings escaped, everything else as is.
package struct ServingJSONWriter {
  package private(set) var bytes: [UInt8] = []

  package init() {}

  package var string: String { String(decoding: bytes, as: UTF8.self) }

  package mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

  package mutating func raw(_ byte: UInt8) { bytes.append(byte) }

  /// A JSON string: `"`, `\` and control characters escaped, the rest as UTF-8.
  package mutating func quoted<Bytes: Sequence<UInt8>>(utf8 text: Bytes) {
    bytes.append(UInt8(ascii: "\""))
    for byte in text {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
      case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0x00..<0x20:
        let hex = Array("0123456789ABCDEF".utf8)
        bytes.append(contentsOf: Array("\\u00".utf8))
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  package mutating func quoted(_ text: String) { quoted(utf8: text.utf8) }

  /// A float as TensorFlow Serving writes it (`WriteDecimal`).
  package mutating func decimal(_ value: Float) { raw(Self.decimalText(value)) }

  /// A double as TensorFlow Serving writes it (`WriteDecimal`).
  package mutating func decimal(_ value: Double) { raw(Self.decimalText(value)) }

  package mutating func value(_ value: ServingJSON) {
    switch value {
    case .null: raw("null")
    case .bool(let flag): raw(flag ? "true" : "false")
    case .int(let number): raw(String(number))
    case .uint(let number): raw(String(number))
    case .double(let number):
      // As RapidJSON's `IsFloat` decides: a double that survives the trip through float is
      // printed as one.
      if number.isFinite, Double(Float(number)) == number { decimal(Float(number)) } else { decimal(number) }
    case .string(let text): quoted(text)
    case .array(let elements):
      raw(UInt8(ascii: "["))
      for (position, element) in elements.enumerated() {
        if position > 0 { raw(UInt8(ascii: ",")) }
        self.value(element)
      }
      raw(UInt8(ascii: "]"))
    case .object(let members):
      raw(UInt8(ascii: "{"))
      for (position, member) in members.enumerated() {
        if position > 0 { raw(UInt8(ascii: ",")) }
        quoted(member.key)
        raw(UInt8(ascii: ":"))
        self.value(member.value)
      }
      raw(UInt8(ascii: "}"))
    }
  }

  /// `%g` (six significant digits) when that reads back as the same value, else the type's
  /// `max_digits10` (`%.9g` for float, `%.17g` for double); `.0` appended when the text has
  /// neither a point nor an exponent, so `3` is `3.0` and `9000000` is `9e+06`. Non-finite
  /// values are the bare tokens `NaN`, `Infinity`, `-Infinity`.
  package static func decimalText(_ value: Float) -> String {
    guard value.isFinite else { return nonFinite(Double(value)) }
    var text = format("%g", Double(value))
    if strtof(text, nil) != value { text = format("%.9g", Double(value)) }
    return pointed(text)
  }

  /// The double form of `decimalText(_:)`.
  package static func decimalText(_ value: Double) -> String {
    guard value.isFinite else { return nonFinite(value) }
    var text = format("%g", value)
    if strtod(text, nil) != value { text = format("%.17g", value) }
    return pointed(text)
  }

  private static func nonFinite(_ value: Double) -> String {
    value.isNaN ? "NaN" : value < 0 ? "-Infinity" : "Infinity"
  }

  private static func pointed(_ text: String) -> String {
    text.utf8.contains(UInt8(ascii: ".")) || text.utf8.contains(UInt8(ascii: "e")) ? text : text + ".0"
  }

  private static func format(_ pattern: String, _ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
      let count = withVaList([value]) { arguments in
        vsnprintf(buffer.baseAddress, buffer.count, pattern, arguments)
      }
      let length = max(0, min(Int(count), buffer.count - 1))
      return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: length), as: UTF8.self)
    }
  }
}
