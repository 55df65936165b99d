import CZlib
import RegistryCore

/// Request bodies sent with `Content-Encoding: gzip`, inflated with zlib under a cap.
///
/// TensorFlow Serving accepts gzip bodies with no limit on what they inflate to (a few KiB can
/// claim gigabytes); here the inflated size counts against the same `--max-body-bytes` as a
/// plain body, and inflation stops the moment it passes it.
enum GzipBody {
  /// Inflates a gzip member (RFC 1952).
  ///
  /// - Throws: `ServerError`: `resourceExhausted` past `limit` bytes, `invalidArgument` for a body that is not valid gzip or ends early.
  static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
    var stream = z_stream()
    // 16 + 15: a gzip wrapper around a deflate stream with the largest window.
    guard inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw ServerError(.internal, "zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    var status: Int32 = Z_OK
    try input.withUnsafeBufferPointer { source in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = uInt(source.count)
      repeat {
        status = chunk.withUnsafeMutableBufferPointer { buffer in
          stream.next_out = buffer.baseAddress
          stream.avail_out = uInt(buffer.count)
          return CZlib.inflate(&stream, Z_NO_FLUSH)
        }
        let produced = chunk.count - Int(stream.avail_out)
        guard output.count + produced <= limit else {
          throw ServerError(
            .resourceExhausted,
            "the request body inflates from gzip to more than \(limit) bytes (raise it with --max-body-bytes)")
        }
        output.append(contentsOf: chunk[0..<produced])
        guard status == Z_OK || status == Z_STREAM_END else {
          throw ServerError(.invalidArgument, "the request body is not valid gzip (zlib status \(status))")
        }
      } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
    }
    guard status == Z_STREAM_END else {
      throw ServerError(.invalidArgument, "the gzip request body ends before its stream does")
    }
    return output
  }
}
