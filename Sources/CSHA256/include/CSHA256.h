// The SHA-256 compression function on the CPU's SHA extensions (SHA-NI).
// The Swift SHA-256 runs at about 280 MB/s; the SHA instructions are several
// times faster, and the recording proxy hashes every body it sees.
// Only the block function lives here; padding and finalisation stay with the caller.

#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU has SHA-NI, SSE4.1 and SSSE3; 0 otherwise (always 0 off x86-64).
int tdf_sha256_has_hardware(void);

/// Compresses `blocks` 64-byte blocks from `data` into `state` (h0..h7, host-endian).
/// Call only after tdf_sha256_has_hardware() returned 1; `data` need not be aligned.
void tdf_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#ifdef __cplusplus
}
#endif

#endif
