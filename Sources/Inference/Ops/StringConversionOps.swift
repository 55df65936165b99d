import TensorKernels
import TextKernels

/// Numbers to strings (`AsString`, printf formatting) and strings to numbers (`StringToNumber`,
/// which fails on the first string that is not a number, as TensorFlow does).
enum StringConversionOps {
  static func register(into registry: inout OpRegistry) {
    registry.register("AsString") { context throws(InferenceError) in
      let input = try context.tensor(0)
      let (precision, scientific) = (try context.int("precision", default: -1), try context.bool("scientific"))
      let (shortest, width) = (try context.bool("shortest"), try context.int("width", default: -1))
      let fill = Array(try context.string("fill", default: "").utf8)
      // `width` and `precision` are attributes: every element is at least that long, so the
      // total is checked before one is formatted.
      let least = Int64(max(width, 0)) + Int64(max(precision, 0)) + Int64(MemoryLayout<[UInt8]>.stride)
      let (bytes, overflow) = Int64(input.elementCount).multipliedReportingOverflow(by: least)
      try context.checkStringBytes(
        overflow ? nil : bytes, of: "\(input.elementCount) strings of \(least) bytes or more")
      if input.dtype == .string {
        try context.checkStringWrites(try context.strings(0), of: "\(input.elementCount) formatted strings")
      }
      let format = try context.text { () throws(TextError) in
        try PrintfFormat(
          dtype: input.dtype, precision: precision, scientific: scientific, shortest: shortest, width: width,
          fill: fill)
      }
      return [.tensor(Tensor(strings: try context.run { try format.strings(input) }, shape: input.shape))]
    }
    registry.register("StringToNumber") { context throws(InferenceError) in
      let input = try context.tensor(0)
      let strings = try context.strings(0)
      let type = try context.dtype("out_type", default: .float32)
      func failure(_ text: [UInt8]) -> InferenceError {
        InferenceError(
          .invalidArgument,
          "\(context.location): StringToNumberOp could not correctly convert string: \(String(decoding: text, as: UTF8.self))"
        )
      }
      switch type {
      case .float32:
        return [
          .tensor(
            Tensor(
              float32: try strings.map { text throws(InferenceError) in
                guard let value = NumberParsing.float(text) else { throw failure(text) }
                return value
              }, shape: input.shape))
        ]
      case .float64:
        return [
          .tensor(
            Tensor(
              float64: try strings.map { text throws(InferenceError) in
                guard let value = NumberParsing.double(text) else { throw failure(text) }
                return value
              }, shape: input.shape))
        ]
      case .int32:
        return [
          .tensor(
            Tensor(
              int32: try strings.map { text throws(InferenceError) in
                guard let value = NumberParsing.int32(text) else { throw failure(text) }
                return value
              }, shape: input.shape))
        ]
      case .int64:
        return [
          .tensor(
            Tensor(
              int64: try strings.map { text throws(InferenceError) in
                guard let value = NumberParsing.int64(text) else { throw failure(text) }
                return value
              }, shape: input.shape))
        ]
      default:
        throw InferenceError(
          .unsupported, "\(context.location): out_type \(type) (float32, float64, int32 and int64 are supported)")
      }
    }
  }
}
