import NumPyFormat
import RegistryCore
import TensorKernels

/// Converting between tensors and NumPy `.npy` arrays, the file format of `registry run`.
public enum TensorFiles {
  /// A tensor from a `.npy` array: numeric and bool dtypes map one to one; fixed-width bytes
  /// (`S`) and unicode (`U`) arrays become string tensors with trailing NULs removed.
  ///
  /// - Parameter file: the file the array came from, carried by the error (messages do not
  ///   repeat it).
  public static func tensor(from array: NPYArray, file: String? = nil) throws(TensorIOError) -> Tensor {
    let descr = array.descr
    let kind = descr.dropFirst().first
    let size = Int(descr.dropFirst(2)) ?? 0
    if kind == "S" || kind == "U" {
      // Each string costs its array header as well as its bytes, so even a zero-width `|S0`
      // array that passed the limits as an array can be too many strings.
      let itemSize = NPYArray.itemSize(descr) ?? 0
      let (elementSize, overflow) = itemSize.addingReportingOverflow(MemoryLayout<[UInt8]>.stride)
      do {
        _ = try Limits.current.checkTensor(
          "string tensor of shape \(array.shape)", shape: array.shape, elementSize: overflow ? .max : elementSize)
      } catch {
        throw TensorIOError.limit(error, file: file)
      }
    }
    switch kind {
    case "S":
      let strings = (0..<array.count).map { index -> [UInt8] in
        let item = array.data[(index * size)..<((index + 1) * size)]
        return Array(item.reversed().drop { $0 == 0 }.reversed())
      }
      return Tensor(strings: strings, shape: array.shape)
    case "U":
      let strings = (0..<array.count).map { index -> [UInt8] in
        var scalars = String.UnicodeScalarView()
        for position in 0..<size {
          let offset = (index * size + position) * 4
          let value =
            UInt32(array.data[offset]) | UInt32(array.data[offset + 1]) << 8 | UInt32(array.data[offset + 2]) << 16
            | UInt32(array.data[offset + 3]) << 24
          if value == 0 { break }
          if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return Array(String(scalars).utf8)
      }
      return Tensor(strings: strings, shape: array.shape)
    default:
      guard let dtype = dtype(for: descr) else {
        throw TensorIOError.invalid("unsupported .npy dtype '\(descr)'", file: file)
      }
      do {
        return try Tensor(raw: array.data, dtype: dtype, shape: array.shape)
      } catch {
        throw TensorIOError.invalid("\(error)", file: file, underlying: error)
      }
    }
  }

  /// A `.npy` array for a tensor. Strings become fixed-width bytes (`|S<longest>`); bfloat16,
  /// which NumPy has no dtype for, is written as float32.
  ///
  /// - Parameter file: the file the array is for, carried by the error.
  public static func npy(from tensor: Tensor, file: String? = nil) throws(TensorIOError) -> NPYArray {
    do {
      switch tensor.dtype {
      case .string:
        let strings = try tensor.strings()
        let width = max(1, strings.map(\.count).max() ?? 1)
        var data: [UInt8] = []
        data.reserveCapacity(width * strings.count)
        for string in strings { data += string + [UInt8](repeating: 0, count: width - string.count) }
        return try NPYArray(descr: "|S\(width)", shape: tensor.shape, data: data)
      case .bfloat16:
        return try npy(from: Tensor(float32: try tensor.floats(), shape: tensor.shape), file: file)
      default:
        guard let descr = descr(for: tensor.dtype) else {
          throw TensorIOError.unsupported("cannot write \(tensor.dtype) as .npy", file: file)
        }
        return try NPYArray(descr: descr, shape: tensor.shape, data: try tensor.rawBytes())
      }
    } catch let error as TensorIOError {
      throw error
    } catch {
      throw TensorIOError.invalid("\(error)", file: file, underlying: error)
    }
  }

  static let descriptors: [(String, DType)] = [
    ("<f4", .float32), ("<f8", .float64), ("<f2", .float16), ("<i4", .int32), ("<i8", .int64), ("<i2", .int16),
    ("|i1", .int8), ("|u1", .uint8), ("<u2", .uint16), ("<u4", .uint32), ("<u8", .uint64), ("|b1", .bool),
    ("<c8", .complex64), ("<c16", .complex128),
  ]

  static func dtype(for descr: String) -> DType? {
    let normalized = descr.hasPrefix("=") ? "<" + descr.dropFirst() : descr
    return descriptors.first { $0.0 == normalized || ($0.0.hasPrefix("|") && "<" + $0.0.dropFirst() == normalized) }?.1
  }

  static func descr(for dtype: DType) -> String? {
    descriptors.first { $0.1 == dtype }?.0
  }
}
