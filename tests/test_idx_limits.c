/* Hostile IDX headers (issue 28): dimensions that multiply to hundreds of
 * gigabytes, products that wrap 64 bits, pictures too large for the int sizes
 * of a batch, and headers that claim more data than the file holds, plain or
 * gzip-compressed. Each must be refused with the path and a reason, without
 * allocating what the header claims: the address space is capped at 1 GiB
 * (not under AddressSanitizer, whose shadow memory needs more), so an attempt
 * would fail here rather than succeed by overcommit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "check.h"
#include "image_sets.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void put32(unsigned char *p, unsigned v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* An images file: header n x h x w, then `data` bytes of zeros (plain or gzip). */
static const char *write_images(const char *name, unsigned n, unsigned h, unsigned w, size_t data, int gz) {
  const char *path = test_path(name);
  unsigned char head[16], zero[4096] = {0};
  put32(head, 0x803);
  put32(head + 4, n);
  put32(head + 8, h);
  put32(head + 12, w);
  if (gz) {
    gzFile f = gzopen(path, "wb");
    gzwrite(f, head, 16);
    for (size_t k = 0; k < data; k += sizeof zero)
      gzwrite(f, zero, (unsigned)(data - k < sizeof zero ? data - k : sizeof zero));
    gzclose(f);
  } else {
    FILE *f = fopen(path, "wb");
    fwrite(head, 1, 16, f);
    for (size_t k = 0; k < data; k += sizeof zero) fwrite(zero, 1, data - k < sizeof zero ? data - k : sizeof zero, f);
    fclose(f);
  }
  return path;
}

/* idx_read of path must fail with a message containing want (and the path) */
static void refused(const char *path, const char *want) {
  unsigned char *data = (unsigned char *)1;
  int dims[3], rank;
  char err[512] = "";
  int rc = idx_read(path, 0x803, &data, dims, &rank, err, sizeof err);
  CHECK(rc == -1 && data == NULL, "%s accepted", path);
  CHECK(strstr(err, want) && strstr(err, path), "%s: message '%s' lacks '%s'", path, err, want);
}

int main(void) {
#ifndef UNDER_ASAN
  struct rlimit lim = {1ul << 30, 1ul << 30};
  CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");
#endif
  /* 60000^3 bytes = 216 TB: the first finding (malloc failed, then a write through NULL) */
  refused(write_images("huge.idx", 60000, 60000, 60000, 0, 0), "exceed the limit");
  /* (2^24)^3 wraps 64 bits: was accepted */
  refused(write_images("wrap.idx", 1u << 24, 1u << 24, 1u << 24, 0, 0), "exceed the limit");
  refused(write_images("zero.idx", 5, 0, 28, 0, 0), "dimension 1 is 0");
  refused(write_images("dim.idx", (1u << 24) + 1, 1, 1, 0, 0), "dimension 0 is 16777217");
  /* one picture of 4096 x 4097 values: its sizes would overflow int in a batch */
  refused(write_images("picture.idx", 1, 4096, 4097, 0, 0), "values per picture");
  /* 10 GB claimed (within the limit) by a 116-byte file: refused from its size, nothing allocated */
  refused(write_images("short.idx", 10000, 1000, 1000, 100, 0), "file is 116 bytes");
  refused(write_images("long.idx", 2, 2, 2, 9, 0), "trailing bytes");
  /* the same claim gzip-compressed: the buffer grows with the data, so this ends "truncated" within 1 GiB */
  refused(write_images("short.idx.gz", 10000, 1000, 1000, 3 << 20, 1), "truncated");
  /* a well-formed file still loads */
  const char *ok = write_images("ok.idx.gz", 3, 4, 5, 60, 1);
  unsigned char *data;
  int dims[3], rank;
  char err[512];
  CHECK(idx_read(ok, 0x803, &data, dims, &rank, err, sizeof err) == 0, "%s: %s", ok, err);
  CHECK(rank == 3 && dims[0] == 3 && dims[1] == 4 && dims[2] == 5, "dims");
  free(data);
  return report();
}
