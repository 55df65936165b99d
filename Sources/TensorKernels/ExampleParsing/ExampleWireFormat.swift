/// The `tf.Example` wire format as TensorFlow's fast parser reads it: an Example's feature map
/// entries as byte ranges, and a Feature's list of values.
///
/// `Example { Features features = 1; }`, `Features { map<string, Feature> feature = 1; }`,
/// `Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List
/// int64_list = 3; } }`, each list `repeated ... value = 1` (floats and int64s packed or not).
/// The parser is TensorFlow's, not a general protobuf reader, and differs from one in what it
/// accepts (each difference checked against TensorFlow 2.21):
///
/// - An Example may be several Examples concatenated (TensorFlow Serving prepends a context's
///   bytes to each record): every `features` field's entries are kept in order, and the last
///   entry of a key is the one that counts, as protobuf merges map fields.
/// - Top-level fields other than `features` are skipped; inside `Features` and map entries
///   anything unexpected fails the parse.
/// - A Feature's kind is its first byte; bytes after its first list are ignored, as are bytes
///   after a packed run inside a list. A list mixing packed and unpacked values fails.
///
/// Format reference: `tensorflow/core/example/example.proto`, `feature.proto`;
/// `example_proto_fast_parsing.cc` (`ParseExample`, `ParseFeatures`, `ParseFeatureMapEntry`,
/// `Feature::Parse*List`).
enum ExampleWireFormat {
  /// One entry of an Example's feature map: its key and its serialized Feature.
  struct Entry {
    let key: Range<Int>
    let value: Range<Int>
  }

  /// What a serialized Feature holds, from its first byte.
  enum Kind {
    /// An empty Feature (no list at all).
    case empty
    case bytes
    case floats
    case int64s

    /// The dtype of its values, nil for an empty Feature.
    var dtype: DType? {
      switch self {
      case .empty: nil
      case .bytes: .string
      case .floats: .float32
      case .int64s: .int64
      }
    }
  }

  /// The feature map entries of a serialized Example, in order, or nil when it does not parse.
  ///
  /// - Complexity: O(n) in the bytes.
  static func entries(_ bytes: [UInt8]) -> [Entry]? {
    var reader = WireReader(bytes, 0..<bytes.count)
    var entries: [Entry] = []
    while !reader.isAtEnd {
      if reader.expect(0x0A) {
        guard features(&reader, into: &entries) else { return nil }
      } else if !reader.skipField() {
        return nil
      }
    }
    return entries
  }

  /// `ParseFeatures`: a length, then map entries (field 1) only.
  private static func features(_ reader: inout WireReader, into entries: inout [Entry]) -> Bool {
    guard let length = reader.varint32() else { return false }
    let outer = reader.pushLimit(length)
    while !reader.isAtEnd {
      guard reader.expect(0x0A), let entry = entry(&reader) else { return false }
      entries.append(entry)
    }
    reader.popLimit(outer)
    return true
  }

  /// `ParseFeatureMapEntry`: exactly two fields, key (1) and value (2) in either order. A key
  /// read twice leaves the value empty, and a value read twice the key empty, as TensorFlow does.
  private static func entry(_ reader: inout WireReader) -> Entry? {
    guard let length = reader.varint32() else { return nil }
    let outer = reader.pushLimit(length)
    var key = reader.position..<reader.position
    var value = reader.position..<reader.position
    for _ in 0..<2 {
      switch reader.varint32() {
      case 0x0A?:
        guard let range = reader.lengthDelimited() else { return nil }
        key = range
      case 0x12?:
        guard let range = reader.lengthDelimited() else { return nil }
        value = range
      default:
        return nil
      }
    }
    guard reader.isAtEnd else { return nil }
    reader.popLimit(outer)
    return Entry(key: key, value: value)
  }

  /// The kind of a serialized Feature, or nil when its first byte names none ("Unsupported
  /// datatype.").
  static func kind(_ bytes: [UInt8], _ feature: Range<Int>) -> Kind? {
    guard let first = feature.first else { return .empty }
    switch bytes[first] {
    case 0x0A: return .bytes
    case 0x12: return .floats
    case 0x1A: return .int64s
    default: return nil
    }
  }

  /// A reader over a Feature's list: its bytes after the first (the kind).
  private static func listReader(_ bytes: [UInt8], _ feature: Range<Int>) -> WireReader {
    WireReader(bytes, (feature.lowerBound + 1)..<feature.upperBound)
  }

  /// Appends a FloatList's values to `values` and returns how many the list holds, or nil when it
  /// does not parse.
  ///
  /// With a `capacity` (a fixed-size dense feature), at most that many are appended and the
  /// answer is the count TensorFlow reports: a packed run's length over 4, whatever follows it.
  /// Without one, all of them are; a packed run's bytes must all be there (checked before
  /// anything is appended, so a lying length allocates nothing).
  static func floats(
    _ bytes: [UInt8], _ feature: Range<Int>, into values: inout [Float], capacity: Int? = nil
  ) -> Int? {
    var reader = listReader(bytes, feature)
    guard let length = reader.varint32() else { return nil }
    let outer = reader.pushLimit(length)
    var count = 0
    if !reader.isAtEnd {
      switch reader.nextByte {
      case 0x0A:
        _ = reader.expect(0x0A)
        guard let packedLength = reader.varint32() else { return nil }
        _ = reader.pushLimit(packedLength)
        count = Int(packedLength / 4)
        let stored = min(count, capacity ?? count)
        guard let range = reader.take(stored * 4) else { return nil }
        values.reserveCapacity(values.count + stored)
        for offset in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
          values.append(Float(bitPattern: littleEndian32(bytes, offset)))
        }
      case 0x0D:
        while !reader.isAtEnd {
          guard reader.expect(0x0D), let bits = reader.fixed32() else { return nil }
          if count < capacity ?? Int.max { values.append(Float(bitPattern: bits)) }
          count += 1
        }
      default:
        return nil
      }
    }
    reader.popLimit(outer)
    return count
  }

  /// Appends an Int64List's values (packed or not) to `values` and returns how many the list
  /// holds, or nil when it does not parse. With a `capacity`, at most that many are appended.
  static func int64s(
    _ bytes: [UInt8], _ feature: Range<Int>, into values: inout [Int64], capacity: Int? = nil
  ) -> Int? {
    var reader = listReader(bytes, feature)
    guard let length = reader.varint32() else { return nil }
    let outer = reader.pushLimit(length)
    var count = 0
    func keep(_ value: UInt64) {
      if count < capacity ?? Int.max { values.append(Int64(bitPattern: value)) }
      count += 1
    }
    if !reader.isAtEnd {
      switch reader.nextByte {
      case 0x0A:
        _ = reader.expect(0x0A)
        guard let packedLength = reader.varint32() else { return nil }
        _ = reader.pushLimit(packedLength)
        while !reader.isAtEnd {
          guard let value = reader.varint64() else { return nil }
          keep(value)
        }
      case 0x08:
        while !reader.isAtEnd {
          guard reader.expect(0x08), let value = reader.varint64() else { return nil }
          keep(value)
        }
      default:
        return nil
      }
    }
    reader.popLimit(outer)
    return count
  }

  /// Appends a BytesList's values to `values` and returns how many it holds, or nil when it does
  /// not parse. With a `capacity`, one value more than that fails the parse (TensorFlow has no
  /// room to read it into).
  static func strings(
    _ bytes: [UInt8], _ feature: Range<Int>, into values: inout [[UInt8]], capacity: Int? = nil
  ) -> Int? {
    var reader = listReader(bytes, feature)
    guard let length = reader.varint32() else { return nil }
    let outer = reader.pushLimit(length)
    var count = 0
    while !reader.isAtEnd {
      guard reader.expect(0x0A), let size = reader.varint32() else { return nil }
      guard count < capacity ?? Int.max, let range = reader.take(Int(size)) else { return nil }
      values.append(Array(bytes[range]))
      count += 1
    }
    reader.popLimit(outer)
    return count
  }

  /// `GetNumElementsInBytesList`: the number of values of a BytesList, or nil when an element
  /// runs past the list (the single-example parser counts before it reads).
  static func stringCount(_ bytes: [UInt8], _ feature: Range<Int>) -> Int? {
    var reader = listReader(bytes, feature)
    guard let length = reader.varint32() else { return nil }
    let outer = reader.pushLimit(length)
    var count = 0
    while !reader.isAtEnd {
      guard reader.expect(0x0A), let size = reader.varint32(), reader.skip(size) else { return nil }
      count += 1
    }
    reader.popLimit(outer)
    return count
  }

  private static func littleEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
  }
}
