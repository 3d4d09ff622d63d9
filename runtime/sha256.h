/* SHA-256 (FIPS 180-4) of a byte stream or a whole file: the identity of a
 * run's data file (run.json, checkpoint metadata). */
#ifndef EBM_SHA256_H
#define EBM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t bytes; /* message length so far */
  unsigned char buf[64];
  size_t fill; /* bytes waiting in buf */
} Sha256;

void sha256_init(Sha256 *c);
void sha256_update(Sha256 *c, const void *data, size_t n);
void sha256_hex(Sha256 *c, char out[65]); /* finishes c; 64 lower-case hex digits and a NUL */

/* The digest of a file's bytes: 0, or -1 with err naming the file. */
int sha256_file(const char *path, char out[65], char *err, size_t errlen);

#endif
