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

#endif
