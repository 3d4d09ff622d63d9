#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(size_t n, int overflow, const char *what) {
  if (overflow)
    fprintf(stderr, "out of memory: the size of %s overflows (more than %zu bytes)\n", what, (size_t)-1);
  else
    fprintf(stderr, "out of memory allocating %zu bytes for %s\n", n, what);
  exit(EBM_EXIT_NOMEM);
}

void *xmalloc(size_t n, const char *what) {
  void *p = malloc(n ? n : 1); /* malloc(0) may return NULL: never a failure here */
  if (!p) die(n, 0, what);
  return p;
}

void *xcalloc(size_t count, size_t size, const char *what) {
  size_t n = xmul(count, size, what);
  void *p = calloc(n ? n : 1, 1);
  if (!p) die(n, 0, what);
  return p;
}

void *xcalloc_lines(size_t n, const char *what) {
  size_t m = ((n ? n : 1) + 63) & ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
  if (m < n) die(n, 1, what);
  void *p = aligned_alloc(64, m);
  if (!p) die(n, 0, what);
  return memset(p, 0, m);
}

void *xrealloc(void *p, size_t n, const char *what) {
  void *q = realloc(p, n ? n : 1);
  if (!q) die(n, 0, what);
  return q;
}

size_t xmul(size_t a, size_t b, const char *what) {
  size_t n;
  if (__builtin_mul_overflow(a, b, &n)) die(0, 1, what);
  return n;
}
