import Foundation
import SwiftProtobuf

/// Conveniences on the generated messages, so that no other module needs SwiftProtobuf.

/// A message's bytes could not be decoded; `reason` is SwiftProtobuf's description.
public struct ProtoDecodingError: Error, CustomStringConvertible, Sendable {
  public let reason: String
  public var description: String { "not a valid protobuf message (\(reason))" }
}

extension SwiftProtobuf.Message {
  /// Decodes the binary wire format. Unknown fields are kept, so re-encoding keeps them too.
  public init<Bytes: Collection>(decoding bytes: Bytes) throws(ProtoDecodingError)
  where Bytes.Element == UInt8 {
    do {
      try self.init(serializedBytes: Array(bytes))
    } catch {
      throw ProtoDecodingError(reason: Self.describe(error))
    }
  }

  /// Decodes protobuf text format (`saved_model.pbtxt`).
  public init(decodingText text: String) throws(ProtoDecodingError) {
    do {
      try self.init(textFormatString: text)
    } catch {
      throw ProtoDecodingError(reason: "text format: \(Self.describe(error))")
    }
  }

  /// The deterministic ("canonical") binary encoding: fields in number order, map entries sorted
  /// by key (strings by UTF-8 bytes) and always carrying key and value, unknown fields last. This is what TensorFlow's
  /// C++ `SerializeToStringDeterministic` produces, and what `fingerprint.pb` hashes.
  ///
  /// Format reference: savedmodel-format.md §4.4.
  public func canonicalBytes() -> [UInt8] {
    var encoder = CanonicalEncoder()
    if (try? traverse(visitor: &encoder)) != nil { return encoder.bytes }
    return swiftProtobufCanonicalBytes()
  }

  /// SwiftProtobuf's own deterministic encoding, which `canonicalBytes` reproduces faster
  /// (`CanonicalEncoder`); the tests compare the two.
  public func swiftProtobufCanonicalBytes() -> [UInt8] {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    // Encoding only fails for missing required fields, which proto3 messages do not have.
    return (try? serializedBytes(partial: true, options: options)) ?? []
  }

  /// The ordinary binary encoding (map order unspecified).
  public func encodedBytes() -> [UInt8] {
    (try? serializedBytes(partial: true)) ?? []
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case BinaryDecodingError.truncated: return "truncated"
    case BinaryDecodingError.malformedProtobuf: return "malformed"
    case BinaryDecodingError.invalidUTF8: return "a string field is not valid UTF-8"
    case BinaryDecodingError.messageDepthLimit: return "nested too deeply"
    default: return String(describing: error)
    }
  }
}

extension Google_Protobuf_Any {
  /// The packed message, if this `Any` holds a `M`.
  public func unpacked<M: SwiftProtobuf.Message>(as type: M.Type) -> M? {
    try? M(unpackingAny: self)
  }
}
