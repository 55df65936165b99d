import Foundation
import TFProto

/// Times the deterministic re-encoding that the fingerprint checks hash, both ways: our
/// one-pass `canonicalBytes` and SwiftProtobuf's encoder, on one `saved_model.pb`.
enum CanonicalBench {
  static func run(graphFile: URL, rounds: Int) throws {
    let bytes = [UInt8](try Data(contentsOf: graphFile))
    var model = try Tensorflow_SavedModel(decoding: bytes)
    let decode = (0..<rounds).map { _ in seconds { model = (try? Tensorflow_SavedModel(decoding: bytes)) ?? model } }
      .min()!
    var ours: [UInt8] = []
    var theirs: [UInt8] = []
    let oneFile = (0..<rounds).map { _ in seconds { ours = model.canonicalBytes() } }.min()!
    let swiftProtobuf = (0..<rounds).map { _ in seconds { theirs = model.swiftProtobufCanonicalBytes() } }.min()!
    print("file: \(graphFile.path), \(bytes.count) bytes, best of \(rounds)")
    print(String(format: "decode                          %8.1f ms", decode * 1e3))
    print(String(format: "canonicalBytes (one pass)       %8.1f ms", oneFile * 1e3))
    print(String(format: "SwiftProtobuf deterministic     %8.1f ms", swiftProtobuf * 1e3))
    print("same bytes: \(ours == theirs)")
  }
}
