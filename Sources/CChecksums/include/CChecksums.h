#ifndef CCHECKSUMS_H
#define CCHECKSUMS_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has a CRC32C instruction (x86 SSE4.2 or the ARMv8 CRC extension).
int cchecksums_has_hardware_crc32c(void);

/// Extends an unfinalized CRC-32C state (`~crc` of the running value) over `length` bytes
/// using the CPU instruction. Only call when `cchecksums_has_hardware_crc32c()` returned 1.
uint32_t cchecksums_crc32c_hardware(uint32_t state, const void *bytes, size_t length);

/// The CRC-32C of A||B from crc(A), crc(B) and |B| (finalized values), so blocks of one tensor
/// can be checksummed in parallel and combined in order.
uint32_t cchecksums_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

/// Whether this CPU has the SHA-256 instructions (x86 SHA extensions) the functions below use.
int cchecksums_has_sha_extensions(void);

/// A running SHA-256: the chaining state, the bytes of the current partial block, the length.
typedef struct {
  uint32_t state[8];
  uint8_t block[64];
  uint64_t length;
} cchecksums_sha256;

/// Starts an empty stream.
void cchecksums_sha256_init(cchecksums_sha256 *stream);

/// Feeds `length` bytes to one stream. Only call when `cchecksums_has_sha_extensions()` is 1.
void cchecksums_sha256_update(cchecksums_sha256 *stream, const void *bytes, size_t length);

/// Feeds the same `length` bytes to two streams in one pass (their rounds interleave). Only
/// call when `cchecksums_has_sha_extensions()` is 1.
void cchecksums_sha256_update_pair(cchecksums_sha256 *a, cchecksums_sha256 *b, const void *bytes,
                                   size_t length);

/// Writes the digest of everything fed so far; the stream itself is left as it was.
void cchecksums_sha256_final(const cchecksums_sha256 *stream, uint8_t digest[32]);

#endif
