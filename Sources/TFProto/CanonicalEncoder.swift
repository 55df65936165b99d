import Foundation
import SwiftProtobuf

/// Writes a message's deterministic binary encoding in one pass over the message.
///
/// SwiftProtobuf's encoder asks every nested message for its size before writing it, and that
/// size is computed by walking the nested message again, so a message nested N deep is walked N
/// times (a 2 MB Keras graph: function library, functions, nodes, attributes, tensors). This
/// encoder writes each nested message in place behind a one-byte length and widens the length
/// afterwards when the message turned out longer than 127 bytes, moving only that message's
/// bytes. The output is the same as `serializedBytes(options: useDeterministicOrdering)`, except
/// that string map keys are ordered by their UTF-8 bytes, as TensorFlow's C++ serializer orders
/// them, where SwiftProtobuf compares Swift strings (the two differ only for keys that are not
/// in Unicode normal form C).
///
/// Format reference: savedmodel-format.md §4.4.
struct CanonicalEncoder: SwiftProtobuf.Visitor {
  /// What was written so far.
  private(set) var bytes: [UInt8] = []

  /// Extensions are not in any TensorFlow schema; a message that carries some is encoded by
  /// SwiftProtobuf instead (`canonicalBytes`).
  struct ExtensionsPresent: Error {}

  init() {}

  // MARK: - Wire primitives

  private mutating func putVarint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  private mutating func putTag(_ fieldNumber: Int, _ wireType: UInt64) {
    putVarint(UInt64(fieldNumber) << 3 | wireType)
  }

  private mutating func putFixed32(_ value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  private mutating func putFixed64(_ value: UInt64) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  private mutating func putLengthDelimited(_ fieldNumber: Int, _ body: UnsafeRawBufferPointer) {
    putTag(fieldNumber, 2)
    putVarint(UInt64(body.count))
    bytes.append(contentsOf: body)
  }

  /// Writes a length-delimited field whose body `write` appends, patching its length after.
  private mutating func putNested(_ fieldNumber: Int, _ write: (inout CanonicalEncoder) throws -> Void) rethrows {
    putTag(fieldNumber, 2)
    let lengthAt = bytes.count
    bytes.append(0)
    try write(&self)
    let length = bytes.count - lengthAt - 1
    if length < 0x80 {
      bytes[lengthAt] = UInt8(length)
      return
    }
    var varint = CanonicalEncoder()
    varint.putVarint(UInt64(length))
    bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: varint.bytes)
  }

  private static func varintSize(_ value: UInt64) -> Int {
    value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
  }

  // MARK: - Singular fields

  mutating func visitSingularFloatField(value: Float, fieldNumber: Int) throws {
    putTag(fieldNumber, 5)
    putFixed32(value.bitPattern)
  }

  mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {
    putTag(fieldNumber, 1)
    putFixed64(value.bitPattern)
  }

  mutating func visitSingularInt32Field(value: Int32, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: UInt64(bitPattern: Int64(value)), fieldNumber: fieldNumber)
  }

  mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: UInt64(bitPattern: value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularUInt32Field(value: UInt32, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: UInt64(value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {
    putTag(fieldNumber, 0)
    putVarint(value)
  }

  mutating func visitSingularSInt32Field(value: Int32, fieldNumber: Int) throws {
    try visitSingularSInt64Field(value: Int64(value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularSInt64Field(value: Int64, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: Self.zigZag(value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularFixed32Field(value: UInt32, fieldNumber: Int) throws {
    putTag(fieldNumber, 5)
    putFixed32(value)
  }

  mutating func visitSingularFixed64Field(value: UInt64, fieldNumber: Int) throws {
    putTag(fieldNumber, 1)
    putFixed64(value)
  }

  mutating func visitSingularSFixed32Field(value: Int32, fieldNumber: Int) throws {
    try visitSingularFixed32Field(value: UInt32(bitPattern: value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularSFixed64Field(value: Int64, fieldNumber: Int) throws {
    try visitSingularFixed64Field(value: UInt64(bitPattern: value), fieldNumber: fieldNumber)
  }

  mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: value ? 1 : 0, fieldNumber: fieldNumber)
  }

  mutating func visitSingularStringField(value: String, fieldNumber: Int) throws {
    var value = value
    value.withUTF8 { putLengthDelimited(fieldNumber, UnsafeRawBufferPointer($0)) }
  }

  mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {
    value.withUnsafeBytes { putLengthDelimited(fieldNumber, $0) }
  }

  mutating func visitSingularEnumField<E: SwiftProtobuf.Enum>(value: E, fieldNumber: Int) throws {
    try visitSingularUInt64Field(value: UInt64(bitPattern: Int64(value.rawValue)), fieldNumber: fieldNumber)
  }

  mutating func visitSingularMessageField<M: SwiftProtobuf.Message>(value: M, fieldNumber: Int) throws {
    try putNested(fieldNumber) { try value.traverse(visitor: &$0) }
  }

  mutating func visitSingularGroupField<G: SwiftProtobuf.Message>(value: G, fieldNumber: Int) throws {
    putTag(fieldNumber, 3)
    try value.traverse(visitor: &self)
    putTag(fieldNumber, 4)
  }

  // Repeated fields that are not packed: the protocol's defaults visit each element as a
  // singular field, which is their encoding.

  // MARK: - Packed fields

  private mutating func putPacked<T>(
    _ values: [T], _ fieldNumber: Int, size: (T) -> Int, write: (inout CanonicalEncoder, T) -> Void
  ) {
    putTag(fieldNumber, 2)
    putVarint(UInt64(values.reduce(0) { $0 + size($1) }))
    for value in values { write(&self, value) }
  }

  private mutating func putPackedVarints<T>(_ values: [T], _ fieldNumber: Int, _ wide: (T) -> UInt64) {
    putPacked(values, fieldNumber, size: { Self.varintSize(wide($0)) }, write: { $0.putVarint(wide($1)) })
  }

  mutating func visitPackedFloatField(value: [Float], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 4 }, write: { $0.putFixed32($1.bitPattern) })
  }

  mutating func visitPackedDoubleField(value: [Double], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 8 }, write: { $0.putFixed64($1.bitPattern) })
  }

  mutating func visitPackedInt32Field(value: [Int32], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { UInt64(bitPattern: Int64($0)) }
  }

  mutating func visitPackedInt64Field(value: [Int64], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { UInt64(bitPattern: $0) }
  }

  mutating func visitPackedUInt32Field(value: [UInt32], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { UInt64($0) }
  }

  mutating func visitPackedUInt64Field(value: [UInt64], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { $0 }
  }

  mutating func visitPackedSInt32Field(value: [Int32], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { Self.zigZag(Int64($0)) }
  }

  mutating func visitPackedSInt64Field(value: [Int64], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { Self.zigZag($0) }
  }

  mutating func visitPackedFixed32Field(value: [UInt32], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 4 }, write: { $0.putFixed32($1) })
  }

  mutating func visitPackedFixed64Field(value: [UInt64], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 8 }, write: { $0.putFixed64($1) })
  }

  mutating func visitPackedSFixed32Field(value: [Int32], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 4 }, write: { $0.putFixed32(UInt32(bitPattern: $1)) })
  }

  mutating func visitPackedSFixed64Field(value: [Int64], fieldNumber: Int) throws {
    putPacked(value, fieldNumber, size: { _ in 8 }, write: { $0.putFixed64(UInt64(bitPattern: $1)) })
  }

  mutating func visitPackedBoolField(value: [Bool], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { $0 ? 1 : 0 }
  }

  mutating func visitPackedEnumField<E: SwiftProtobuf.Enum>(value: [E], fieldNumber: Int) throws {
    putPackedVarints(value, fieldNumber) { UInt64(bitPattern: Int64($0.rawValue)) }
  }

  // MARK: - Maps: entries in key order, each with its key and value

  /// Orders map keys as TensorFlow's C++ serializer does: strings by UTF-8 bytes, other keys by
  /// value.
  private static func sortedKeys<Key: MapKeyType, Value>(
    _ map: [Key.BaseType: Value], _ key: Key.Type
  ) -> [Key.BaseType] {
    if Key.BaseType.self == String.self {
      return map.keys.sorted { ($0 as! String).utf8.lexicographicallyPrecedes(($1 as! String).utf8) }
    }
    return map.keys.sorted(by: Key._lessThan)
  }

  mutating func visitMapField<KeyType, ValueType: MapValueType>(
    fieldType: _ProtobufMap<KeyType, ValueType>.Type, value: _ProtobufMap<KeyType, ValueType>.BaseType,
    fieldNumber: Int
  ) throws {
    for key in Self.sortedKeys(value, KeyType.self) {
      try putNested(fieldNumber) { encoder in
        try KeyType.visitSingular(value: key, fieldNumber: 1, with: &encoder)
        try ValueType.visitSingular(value: value[key]!, fieldNumber: 2, with: &encoder)
      }
    }
  }

  mutating func visitMapField<KeyType, ValueType>(
    fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type, value: _ProtobufEnumMap<KeyType, ValueType>.BaseType,
    fieldNumber: Int
  ) throws where ValueType.RawValue == Int {
    for key in Self.sortedKeys(value, KeyType.self) {
      try putNested(fieldNumber) { encoder in
        try KeyType.visitSingular(value: key, fieldNumber: 1, with: &encoder)
        try encoder.visitSingularEnumField(value: value[key]!, fieldNumber: 2)
      }
    }
  }

  mutating func visitMapField<KeyType, ValueType>(
    fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type,
    value: _ProtobufMessageMap<KeyType, ValueType>.BaseType, fieldNumber: Int
  ) throws {
    for key in Self.sortedKeys(value, KeyType.self) {
      try putNested(fieldNumber) { encoder in
        try KeyType.visitSingular(value: key, fieldNumber: 1, with: &encoder)
        try encoder.visitSingularMessageField(value: value[key]!, fieldNumber: 2)
      }
    }
  }

  // MARK: - The rest

  mutating func visitExtensionFields(fields: ExtensionFieldValueSet, start: Int, end: Int) throws {
    if fields != ExtensionFieldValueSet() { throw ExtensionsPresent() }
  }

  mutating func visitExtensionFieldsAsMessageSet(fields: ExtensionFieldValueSet, start: Int, end: Int) throws {
    if fields != ExtensionFieldValueSet() { throw ExtensionsPresent() }
  }

  /// Unknown fields go last, as they were read; C++ keeps and writes them the same way.
  mutating func visitUnknown(bytes unknown: Data) throws {
    bytes.append(contentsOf: unknown)
  }

  private static func zigZag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
  }
}
