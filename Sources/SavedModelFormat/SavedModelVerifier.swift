import Foundation
import RegistryCore
import TFProto

/// The outcome of checking a SavedModel directory end to end.
public struct VerificationReport: Sendable, Codable {
  /// One thing that failed, with the file it concerns.
  public struct Failure: Sendable, Codable, Equatable {
    public let kind: ErrorCategory
    public let file: String
    public let problem: String
  }

  /// Index data blocks whose CRC32C was checked.
  public var indexBlocksChecked = 0
  /// Tensors whose CRC32C was checked.
  public var tensorsChecked = 0
  /// Bytes of tensor data read and checked.
  public var tensorBytesChecked: Int64 = 0
  /// Shard bytes that no index entry covers (zero for bundles TensorFlow writes by default).
  public var unreferencedShardBytes: Int64 = 0
  /// The fingerprint comparison, when the model has a `fingerprint.pb`.
  public var fingerprint: FingerprintReport?
  public var failures: [Failure] = []

  /// True when nothing failed and no fingerprint field mismatched.
  public var passed: Bool { failures.isEmpty && (fingerprint?.isConsistent ?? true) }
}

/// Checks every byte of a SavedModel directory that carries a checksum: index block CRCs, every
/// tensor's CRC32C in every shard, and every `fingerprint.pb` field it can recompute.
///
/// Unlike opening, verification does not stop at the first damaged tensor: it names them all.
public enum SavedModelVerifier {
  public static func verify(_ url: URL) -> VerificationReport {
    var report = VerificationReport()
    func record(_ error: FormatError) {
      report.failures.append(.init(kind: error.category, file: error.path, problem: error.problem))
    }

    let directory: SavedModelDirectory
    do {
      directory = try SavedModelDirectory(url: url)
    } catch {
      record(error)
      return report
    }

    for metaGraph in directory.savedModel.metaGraphs {
      for name in SavedModelInspection.assetFileNames(metaGraph) where AssetPath.contained(name) == nil {
        report.failures.append(
          .init(
            kind: .invalidArgument, file: url.appendingPathComponent(directory.graphFile.rawValue).path,
            problem: "asset_file_def names \"\(name)\", which is not a file inside assets/"))
      }
    }

    var bundle: TensorBundle?
    do {
      bundle = try directory.bundle()
    } catch {
      record(error)
    }
    if let bundle {
      report.indexBlocksChecked = bundle.indexBlockCount
      verifyTensors(bundle, into: &report)
    }

    if let stored = directory.fingerprint {
      report.fingerprint = FingerprintReport(
        stored: stored, model: directory.savedModel,
        fromBinaryGraph: directory.graphFile == .binary, indexBytes: bundle?.indexBytes)
      if bundle == nil && directory.hasVariables {
        // The index could not be read, so checkpoint_hash was compared against "no index".
        report.fingerprint = nil
      }
    }
    return report
  }

  /// Reads each shard in offset order, checking every tensor, and counts uncovered bytes.
  static func verifyTensors(_ bundle: TensorBundle, into report: inout VerificationReport) {
    let byShard = Dictionary(grouping: bundle.entries.filter { !$0.isSliced }, by: \.shard)
    for shard in 0..<bundle.shardSizes.count {
      let entries = (byShard[shard] ?? []).sorted { $0.offset < $1.offset }
      var covered: Int64 = 0
      var coveredUpTo: Int64 = 0
      for entry in entries {
        covered += max(0, entry.offset + entry.size - max(entry.offset, coveredUpTo))
        coveredUpTo = max(coveredUpTo, entry.offset + entry.size)
        do {
          _ = try bundle.bytes(of: entry)
          report.tensorsChecked += 1
          report.tensorBytesChecked = Limits.saturatingSum([report.tensorBytesChecked, entry.size])
        } catch {
          report.failures.append(.init(kind: error.category, file: error.path, problem: error.problem))
        }
      }
      // Saturating: shards are files, and sparse ones on tmpfs can claim 2^62 bytes each.
      report.unreferencedShardBytes = Limits.saturatingSum([
        report.unreferencedShardBytes, bundle.shardSizes[shard] - covered,
      ])
    }
  }
}
