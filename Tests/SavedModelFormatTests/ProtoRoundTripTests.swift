import Foundation
import TFProto
import Testing

@Suite("protobuf schemas")
struct ProtoRoundTripTests {
  @Test("unknown fields survive a parse and a re-encode")
  func unknownFields() throws {
    // BundleHeaderProto {num_shards: 1, version {producer: 1}} plus field 99 (varint 7) and
    // field 100 (bytes "hi"), which our schema does not declare.
    let bytes: [UInt8] = [0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0x98, 0x06, 0x07, 0xa2, 0x06, 0x02, 0x68, 0x69]
    let header = try Tensorflow_BundleHeaderProto(decoding: bytes)
    #expect(header.numShards == 1 && header.version.producer == 1)
    #expect(header.canonicalBytes() == bytes)
  }

  @Test("every fixture's saved_model.pb parses and re-encodes canonically to the bytes it hashes")
  func fixtureGraphsParse() throws {
    for name in try Fixtures.names() {
      let data = try Data(contentsOf: Fixtures.model(name).appendingPathComponent("saved_model.pb"))
      let model = try Tensorflow_SavedModel(decoding: [UInt8](data))
      // Re-decoding the canonical encoding gives the same message (nothing is lost).
      #expect(try Tensorflow_SavedModel(decoding: model.canonicalBytes()) == model, "\(name)")
    }
  }
}
