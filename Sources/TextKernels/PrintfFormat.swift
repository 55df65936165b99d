import TensorKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `AsString`'s formatting: TensorFlow builds one printf conversion from the attributes
/// (`%` fill width `.`precision conversion) and applies it to every element, so C's `vsnprintf`
/// gives exactly its digits, rounding, `nan`/`inf` spellings and padding.
package struct PrintfFormat {
  private enum Argument {
    case signed, signed64, unsigned, unsigned64, floating, string, bool
  }

  private let format: String
  private let argument: Argument

  /// Builds the conversion for a dtype.
  ///
  /// - Throws: the message TensorFlow gives for a combination it refuses (precision or
  ///   scientific/shortest on a non-float type, both scientific and shortest, a fill other than
  ///   one of ` +-0#`, an unsupported dtype).
  package init(dtype: DType, precision: Int, scientific: Bool, shortest: Bool, width: Int, fill: [UInt8])
    throws(TextError)
  {
    if !dtype.isFloatingPoint {
      if scientific || shortest {
        throw TextError("scientific and shortest format not supported for datatype \(dtype)")
      }
      if precision > -1 { throw TextError("precision not supported for datatype \(dtype)") }
    }
    guard fill.count <= 1 else { throw TextError("fill string must be one or fewer characters") }
    guard !(scientific && shortest) else { throw TextError("cannot select both scientific and shortest notation") }
    var format = "%"
    if let flag = fill.first {
      guard " +-0#".utf8.contains(flag) else {
        throw TextError("fill argument not supported: \"\(String(decoding: fill, as: UTF8.self))\"")
      }
      format.append(Character(Unicode.Scalar(flag)))
    }
    if width > -1 { format += String(width) }
    if precision > -1 { format += ".\(precision)" }
    switch dtype {
    case .int8, .int16, .int32, .uint8, .uint16:
      (argument, format) = (.signed, format + "d")
    case .uint32: (argument, format) = (.unsigned, format + "u")
    case .int64: (argument, format) = (.signed64, format + "lld")
    case .uint64: (argument, format) = (.unsigned64, format + "llu")
    case .float16, .bfloat16, .float32, .float64:
      (argument, format) = (.floating, format + (shortest ? "g" : scientific ? "e" : "f"))
    case .string: (argument, format) = (.string, format + "s")
    case .bool: (argument, format) = (.bool, format)
    case .complex64, .complex128: throw TextError("formatting \(dtype) values is not supported")
    }
    self.format = format
  }

  /// Every element of `tensor` formatted.
  package func strings(_ tensor: Tensor) throws(TensorError) -> [[UInt8]] {
    switch argument {
    case .bool: return try tensor.bools().map { Array(($0 ? "true" : "false").utf8) }
    case .floating:
      let values = tensor.dtype == .float64 ? try tensor.doubles() : try tensor.floats().map(Double.init)
      return values.map { render($0) }
    case .string:
      return try tensor.strings().map { bytes in
        let text = bytes.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        return text.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { render($0) } ?? [] }
      }
    case .signed: return try Cast.apply(tensor, to: .int32).int32s().map { render($0) }
    case .unsigned: return try tensor.uint32s().map { render($0) }
    case .signed64: return try tensor.int64s().map { render($0) }
    case .unsigned64: return try tensor.uint64s().map { render($0) }
    }
  }

  private func render(_ value: CVarArg) -> [UInt8] {
    var buffer = [CChar](repeating: 0, count: 64)
    var length = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    if length >= buffer.count {
      buffer = [CChar](repeating: 0, count: Int(length) + 1)
      length = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    }
    return buffer.prefix(max(0, Int(length))).map { UInt8(bitPattern: $0) }
  }
}
