// SHA-256 with the CPU's SHA extensions, for two streams fed from one pass over the bytes.
//
// A push needs each data shard's SHA-256 (the manifest's file digest) and the SHA-256 of each
// piece of it (the object names); a pull checks both again. Running them as two separate passes
// reads every byte twice, and on one core each pass is bound by the latency of the chain of
// SHA256RNDS2 instructions, not by their throughput: the 32 of them per 64-byte block depend on
// one another. Two independent states updated in the same loop fill those latency slots, so the
// second digest costs a fraction of a pass (about 1.3x the work of one stream for both on an
// Intel Xeon, family 6 model 207) and the bytes are loaded once.
//
// The streams may be at different offsets within a block (a piece starts anywhere in its
// file), so each keeps its own partial block and the pair loop takes each stream's own pointer.
// Only call these when cchecksums_has_sha_extensions() returned 1; elsewhere the callers use
// swift-crypto, one stream at a time.
#include "CChecksums.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define CCHECKSUMS_SHA_X86 1
#endif

static const uint32_t initial_state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

void cchecksums_sha256_init(cchecksums_sha256 *stream) {
  memcpy(stream->state, initial_state, sizeof initial_state);
  stream->length = 0;
}

#if CCHECKSUMS_SHA_X86

int cchecksums_has_sha_extensions(void) {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  if ((ecx & bit_SSE4_1) == 0 || (ecx & bit_SSSE3) == 0) return 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  return (ebx & bit_SHA) != 0;
}

static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// The SHA256RNDS2 instruction wants the state as (A, B, E, F) and (C, D, G, H).
static inline SHA_TARGET void load_state(const uint32_t state[8], __m128i *abef, __m128i *cdgh) {
  __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1);
  __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B);
  *abef = _mm_alignr_epi8(dcba, efgh, 8);
  *cdgh = _mm_blend_epi16(efgh, dcba, 0xF0);
}

static inline SHA_TARGET void store_state(uint32_t state[8], __m128i abef, __m128i cdgh) {
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

// Four rounds of one stream with message words X (rounds 4i..4i+3).
#define ROUNDS(ABEF, CDGH, X, i)                                                         \
  do {                                                                                   \
    __m128i words = _mm_add_epi32(X, _mm_load_si128((const __m128i *)&round_constants[4 * (i)])); \
    CDGH = _mm_sha256rnds2_epu32(CDGH, ABEF, words);                                     \
    ABEF = _mm_sha256rnds2_epu32(ABEF, CDGH, _mm_shuffle_epi32(words, 0x0E));            \
  } while (0)

// The next four message words from the previous sixteen, overwriting the oldest (X0).
#define SCHEDULE(X0, X1, X2, X3) \
  X0 = _mm_sha256msg2_epu32(     \
      _mm_add_epi32(_mm_sha256msg1_epu32(X0, X1), _mm_alignr_epi8(X3, X2, 4)), X3)

#define LOAD(X, p, offset) \
  X = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)((p) + (offset))), byte_swap)

static SHA_TARGET void compress(uint32_t state[8], const uint8_t *p, size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef, cdgh;
  load_state(state, &abef, &cdgh);
  for (; blocks > 0; blocks--, p += 64) {
    __m128i saved_abef = abef, saved_cdgh = cdgh, x0, x1, x2, x3;
    LOAD(x0, p, 0);
    LOAD(x1, p, 16);
    LOAD(x2, p, 32);
    LOAD(x3, p, 48);
    ROUNDS(abef, cdgh, x0, 0);
    ROUNDS(abef, cdgh, x1, 1);
    ROUNDS(abef, cdgh, x2, 2);
    ROUNDS(abef, cdgh, x3, 3);
    for (int i = 4; i < 16; i += 4) {
      SCHEDULE(x0, x1, x2, x3);
      ROUNDS(abef, cdgh, x0, i);
      SCHEDULE(x1, x2, x3, x0);
      ROUNDS(abef, cdgh, x1, i + 1);
      SCHEDULE(x2, x3, x0, x1);
      ROUNDS(abef, cdgh, x2, i + 2);
      SCHEDULE(x3, x0, x1, x2);
      ROUNDS(abef, cdgh, x3, i + 3);
    }
    abef = _mm_add_epi32(abef, saved_abef);
    cdgh = _mm_add_epi32(cdgh, saved_cdgh);
  }
  store_state(state, abef, cdgh);
}

// The same rounds for two states over two runs of the same number of blocks, interleaved
// statement by statement so that each stream's rounds fill the other's latency.
static SHA_TARGET void compress_pair(uint32_t state_a[8], const uint8_t *a, uint32_t state_b[8],
                                     const uint8_t *b, size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef, cdgh, abef_b, cdgh_b;
  load_state(state_a, &abef, &cdgh);
  load_state(state_b, &abef_b, &cdgh_b);
  for (; blocks > 0; blocks--, a += 64, b += 64) {
    __m128i saved_abef = abef, saved_cdgh = cdgh, saved_abef_b = abef_b, saved_cdgh_b = cdgh_b;
    __m128i x0, x1, x2, x3, y0, y1, y2, y3;
    LOAD(x0, a, 0);
    LOAD(y0, b, 0);
    LOAD(x1, a, 16);
    LOAD(y1, b, 16);
    LOAD(x2, a, 32);
    LOAD(y2, b, 32);
    LOAD(x3, a, 48);
    LOAD(y3, b, 48);
    ROUNDS(abef, cdgh, x0, 0);
    ROUNDS(abef_b, cdgh_b, y0, 0);
    ROUNDS(abef, cdgh, x1, 1);
    ROUNDS(abef_b, cdgh_b, y1, 1);
    ROUNDS(abef, cdgh, x2, 2);
    ROUNDS(abef_b, cdgh_b, y2, 2);
    ROUNDS(abef, cdgh, x3, 3);
    ROUNDS(abef_b, cdgh_b, y3, 3);
    for (int i = 4; i < 16; i += 4) {
      SCHEDULE(x0, x1, x2, x3);
      SCHEDULE(y0, y1, y2, y3);
      ROUNDS(abef, cdgh, x0, i);
      ROUNDS(abef_b, cdgh_b, y0, i);
      SCHEDULE(x1, x2, x3, x0);
      SCHEDULE(y1, y2, y3, y0);
      ROUNDS(abef, cdgh, x1, i + 1);
      ROUNDS(abef_b, cdgh_b, y1, i + 1);
      SCHEDULE(x2, x3, x0, x1);
      SCHEDULE(y2, y3, y0, y1);
      ROUNDS(abef, cdgh, x2, i + 2);
      ROUNDS(abef_b, cdgh_b, y2, i + 2);
      SCHEDULE(x3, x0, x1, x2);
      SCHEDULE(y3, y0, y1, y2);
      ROUNDS(abef, cdgh, x3, i + 3);
      ROUNDS(abef_b, cdgh_b, y3, i + 3);
    }
    abef = _mm_add_epi32(abef, saved_abef);
    cdgh = _mm_add_epi32(cdgh, saved_cdgh);
    abef_b = _mm_add_epi32(abef_b, saved_abef_b);
    cdgh_b = _mm_add_epi32(cdgh_b, saved_cdgh_b);
  }
  store_state(state_a, abef, cdgh);
  store_state(state_b, abef_b, cdgh_b);
}

#else

int cchecksums_has_sha_extensions(void) { return 0; }

static void compress(uint32_t state[8], const uint8_t *p, size_t blocks) {
  (void)state;
  (void)p;
  (void)blocks;  // never called: cchecksums_has_sha_extensions() is 0 here
}

static void compress_pair(uint32_t state_a[8], const uint8_t *a, uint32_t state_b[8],
                          const uint8_t *b, size_t blocks) {
  compress(state_a, a, blocks);
  compress(state_b, b, blocks);
}

#endif

// Completes a stream's partial block from `*p`; returns how many bytes it took.
static size_t fill_block(cchecksums_sha256 *stream, const uint8_t *p, size_t length) {
  size_t used = (size_t)(stream->length & 63);
  if (used == 0) return 0;
  size_t take = 64 - used < length ? 64 - used : length;
  memcpy(stream->block + used, p, take);
  if (used + take == 64) compress(stream->state, stream->block, 1);
  return take;
}

void cchecksums_sha256_update(cchecksums_sha256 *stream, const void *bytes, size_t length) {
  const uint8_t *p = (const uint8_t *)bytes;
  size_t taken = fill_block(stream, p, length);
  stream->length += length;
  p += taken;
  length -= taken;
  if (length / 64) compress(stream->state, p, length / 64);
  memcpy(stream->block, p + (length & ~(size_t)63), length & 63);
}

void cchecksums_sha256_update_pair(cchecksums_sha256 *a, cchecksums_sha256 *b, const void *bytes,
                                   size_t length) {
  const uint8_t *p = (const uint8_t *)bytes;
  size_t taken_a = fill_block(a, p, length);
  size_t taken_b = fill_block(b, p, length);
  a->length += length;
  b->length += length;
  const uint8_t *pa = p + taken_a, *pb = p + taken_b;
  size_t left_a = length - taken_a, left_b = length - taken_b;
  size_t blocks_a = left_a / 64, blocks_b = left_b / 64;
  size_t both = blocks_a < blocks_b ? blocks_a : blocks_b;
  if (both) compress_pair(a->state, pa, b->state, pb, both);
  if (blocks_a > both) compress(a->state, pa + 64 * both, blocks_a - both);
  if (blocks_b > both) compress(b->state, pb + 64 * both, blocks_b - both);
  memcpy(a->block, pa + 64 * blocks_a, left_a & 63);
  memcpy(b->block, pb + 64 * blocks_b, left_b & 63);
}

void cchecksums_sha256_final(const cchecksums_sha256 *stream, uint8_t digest[32]) {
  cchecksums_sha256 last = *stream;
  size_t used = (size_t)(last.length & 63);
  last.block[used++] = 0x80;
  if (used > 56) {
    memset(last.block + used, 0, 64 - used);
    compress(last.state, last.block, 1);
    used = 0;
  }
  memset(last.block + used, 0, 56 - used);
  uint64_t bits = last.length * 8;
  for (int i = 0; i < 8; i++) last.block[63 - i] = (uint8_t)(bits >> (8 * i));
  compress(last.state, last.block, 1);
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = (uint8_t)(last.state[i] >> 24);
    digest[4 * i + 1] = (uint8_t)(last.state[i] >> 16);
    digest[4 * i + 2] = (uint8_t)(last.state[i] >> 8);
    digest[4 * i + 3] = (uint8_t)last.state[i];
  }
}
