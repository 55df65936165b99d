// Throughput benchmarks for the checksums the registry runs over every stored byte.
//
// Usage: registry-bench checksums FILE [ROUNDS]
// Reads FILE into memory once, then times each hash over it ROUNDS times (default 5) and prints
// the best round's throughput in GB/s (10^9 bytes per second). Scripts/bench-checksums.sh runs it
// beside `sha256sum` on the same file; see docs/benchmarks.md.
import Checksums
import Crypto
import Foundation

func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(rounds: Int, _ body: () -> Void) -> Double {
  (0..<rounds).map { _ in seconds(body) }.min() ?? .nan
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, arguments[1] == "checksums" else {
  FileHandle.standardError.write(Data("usage: registry-bench checksums FILE [ROUNDS]\n".utf8))
  exit(2)
}
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[2]))
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5
let gigabytes = Double(data.count) / 1e9
var sink: UInt64 = 0

let cases: [(String, () -> Void)] = [
  (
    "crc32c (\(CRC32C.hasHardwareSupport ? "cpu instruction" : "table"))",
    { data.withUnsafeBytes { sink &+= UInt64(CRC32C.checksum($0)) } }
  ),
  ("crc32c (slicing-by-8 table)", { data.withUnsafeBytes { sink &+= UInt64(CRC32C.extendInSoftware(0, $0)) } }),
  ("sha256 (swift-crypto)", { sink &+= UInt64(SHA256.hash(data: data).hashValue & 1) }),
  ("farmhash fingerprint64", { data.withUnsafeBytes { sink &+= Fingerprint64.hash($0) } }),
]
print("bytes: \(data.count), rounds: \(rounds), best round reported")
for (name, body) in cases {
  let time = best(rounds: rounds, body)
  let padded = name.padding(toLength: 34, withPad: " ", startingAt: 0)
  print(padded + String(format: " %7.2f GB/s", gigabytes / time))
}
if sink == 42 { print("") }  // keeps the optimizer from dropping the work
