import Foundation
import SavedModelFormat
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
    // What a push does beside its ingest: open the directory (parse) and describe it.
    let root = graphFile.deletingLastPathComponent()
    var directory = try SavedModelDirectory(url: root)
    let open = (0..<rounds).map { _ in seconds { directory = (try? SavedModelDirectory(url: root)) ?? directory } }
      .min()!
    let bundle = try directory.bundle()
    let inspect = (0..<rounds).map { _ in seconds { _ = SavedModelInspection(directory, bundle: bundle) } }.min()!
    let checksum = (0..<rounds).map { _ in seconds { _ = FingerprintComputer.savedModelChecksum(model) } }.min()!
    let program = (0..<rounds).map { _ in seconds { _ = FingerprintComputer.graphDefProgramHash(model) } }.min()!
    let objects = (0..<rounds).map { _ in seconds { _ = FingerprintComputer.savedObjectGraphHash(model) } }.min()!
    print(String(format: "SavedModelDirectory (parse)     %8.1f ms", open * 1e3))
    print(String(format: "SavedModelInspection            %8.1f ms", inspect * 1e3))
    print(String(format: "  saved_model_checksum          %8.1f ms", checksum * 1e3))
    print(String(format: "  graph_def_program_hash        %8.1f ms", program * 1e3))
    print(String(format: "  saved_object_graph_hash       %8.1f ms", objects * 1e3))
  }
}
