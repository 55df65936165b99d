// Benchmarks that need no SavedModel: see docs/benchmarks.md for the scripts that run them.
//
// registry-bench checksums FILE [ROUNDS]
//   Reads FILE into memory once, times each hash over it ROUNDS times (default 5) and prints the
//   best round's throughput in GB/s (10^9 bytes/s). Scripts/bench-checksums.sh runs it beside
//   `sha256sum` on the same file.
// registry-bench catalog DIR [VERSIONS] [TENSORS_PER_VERSION]
//   Builds a synthetic catalog in DIR (CatalogBench.swift) and times each provenance query.
// registry-bench inference MODEL_DIR SIGNATURE NAME=FILE.npy... [--iterations N]
//   Loads a model once and times calls of one signature (InferenceBench.swift).
// registry-bench gc DIR [OBJECTS] [VERSIONS]
//   Builds a synthetic store in DIR (CollectionBench.swift) and times a dry and a real collection.
// registry-bench canonical SAVED_MODEL_PB [ROUNDS]
//   Times decoding a graph file and its canonical re-encoding both ways (CanonicalBench.swift).
import Checksums
import Crypto
import Dispatch
import Foundation

func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func checksums(_ data: Data, rounds: Int) {
  let gigabytes = Double(data.count) / 1e9
  var sink: UInt64 = 0
  let half = data.count / 2
  let cases: [(String, () -> Void)] = [
    (
      "crc32c (\(CRC32C.hasHardwareSupport ? "cpu instruction" : "table"))",
      { data.withUnsafeBytes { sink &+= UInt64(CRC32C.checksum($0)) } }
    ),
    ("crc32c (slicing-by-8 table)", { data.withUnsafeBytes { sink &+= UInt64(CRC32C.extendInSoftware(0, $0)) } }),
    ("sha256 (swift-crypto)", { data.withUnsafeBytes { sink &+= UInt64(Array(SHA256.hash(data: $0))[0]) } }),
    (
      "sha256 (swift-crypto, 2 threads)",
      {
        // Each thread hashes half: shows whether two cores hash twice as fast as one.
        DispatchQueue.concurrentPerform(iterations: 2) { part in
          data.withUnsafeBytes { raw in
            _ = SHA256.hash(data: UnsafeRawBufferPointer(rebasing: raw[(part * half)..<((part + 1) * half)]))
          }
        }
      }
    ),
    ("farmhash fingerprint64", { data.withUnsafeBytes { sink &+= Fingerprint64.hash($0) } }),
  ]
  print("bytes: \(data.count), rounds: \(rounds), best round reported")
  for (name, body) in cases {
    let time = (0..<rounds).map { _ in seconds(body) }.min() ?? .nan
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: " %7.2f GB/s", gigabytes / time))
  }
  if sink == 42 { print("") }  // keeps the optimizer from dropping the work
}

let arguments = CommandLine.arguments
switch arguments.count >= 3 ? arguments[1] : "" {
case "checksums":
  let data = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
  checksums(data, rounds: arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5)
case "catalog":
  try CatalogBench.run(
    directory: URL(fileURLWithPath: arguments[2]),
    versions: arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000,
    tensorsPerVersion: arguments.count > 4 ? Int(arguments[4]) ?? 100 : 100)
case "inference":
  try InferenceBench.run(Array(arguments.dropFirst(2)))
case "canonical":
  try CanonicalBench.run(
    graphFile: URL(fileURLWithPath: arguments[2]), rounds: arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5)
case "gc":
  try CollectionBench.run(
    directory: URL(fileURLWithPath: arguments[2]),
    objects: arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000,
    versions: arguments.count > 4 ? Int(arguments[4]) ?? 1000 : 1000)
default:
  FileHandle.standardError.write(
    Data(
      "usage: registry-bench checksums FILE [ROUNDS] | catalog DIR [VERSIONS] [TENSORS] | gc DIR [OBJECTS] [VERSIONS] | canonical FILE [ROUNDS]\n"
        .utf8))
  exit(2)
}
