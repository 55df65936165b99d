import Foundation
import SavedModelFormat

/// How each file of a SavedModel is cut into objects.
///
/// A data shard is cut at tensor boundaries: each tensor's byte range is its own object, so a
/// fine-tune shares every unchanged tensor with its parent whatever their offsets; a tensor
/// larger than `blockSize` is cut into blocks aligned to the tensor's start, so a partly updated
/// embedding shares its unchanged blocks; bytes between tensors become objects of their own.
/// Every other file is cut into `blockSize` blocks (a file up to that size is one object).
struct ChunkPlan: Sendable {
  /// One object-to-be: a byte range of a file.
  struct Piece: Sendable {
    let file: Int
    let offset: Int64
    let length: Int64
    /// The tensor this piece belongs to, when it holds tensor bytes.
    let tensor: Int?
  }

  struct File: Sendable {
    let entry: SavedModelDirectory.FileEntry
    let url: URL
    /// Indices into `pieces`, in file order.
    var pieces: [Int] = []
  }

  /// 4 MiB: large enough that per-object costs vanish, small enough that one changed row of an
  /// embedding table costs only its block.
  static let blockSize: Int64 = 4 << 20

  var files: [File] = []
  var pieces: [Piece] = []

  init(files entries: [SavedModelDirectory.FileEntry], root: URL, bundle: TensorBundle?) {
    var tensorsByShardFile: [String: [(index: Int, entry: TensorBundle.Entry)]] = [:]
    if let bundle {
      for (index, entry) in bundle.entries.enumerated() where !entry.isSliced && entry.size > 0 {
        let path = "variables/" + bundle.shardURL(for: entry).lastPathComponent
        tensorsByShardFile[path, default: []].append((index, entry))
      }
    }
    for entry in entries where entry.kind == .file {
      let fileIndex = files.count
      files.append(File(entry: entry, url: root.appendingPathComponent(entry.path)))
      let tensors = (tensorsByShardFile[entry.path] ?? []).sorted { $0.entry.offset < $1.entry.offset }
      if tensors.isEmpty || Self.overlap(tensors.map(\.entry)) {
        addBlocks(file: fileIndex, from: 0, to: entry.size, tensor: nil)
        continue
      }
      var position: Int64 = 0
      for tensor in tensors {
        if tensor.entry.offset > position {
          addBlocks(file: fileIndex, from: position, to: tensor.entry.offset, tensor: nil)
        }
        addBlocks(
          file: fileIndex, from: tensor.entry.offset, to: tensor.entry.offset + tensor.entry.size, tensor: tensor.index)
        position = tensor.entry.offset + tensor.entry.size
      }
      if position < entry.size { addBlocks(file: fileIndex, from: position, to: entry.size, tensor: nil) }
    }
  }

  private mutating func addBlocks(file: Int, from start: Int64, to end: Int64, tensor: Int?) {
    var offset = start
    while offset < end {
      let length = min(Self.blockSize, end - offset)
      files[file].pieces.append(pieces.count)
      pieces.append(Piece(file: file, offset: offset, length: length, tensor: tensor))
      offset += length
    }
  }

  /// Tensors that overlap (never written by TensorFlow) make tensor cuts meaningless; such a
  /// shard is cut into plain blocks instead.
  private static func overlap(_ sorted: [TensorBundle.Entry]) -> Bool {
    zip(sorted, sorted.dropFirst()).contains { $0.offset + $0.size > $1.offset }
  }
}
