/* Allocation that cannot silently fail. A trainer or the host that runs out
 * of memory stops at once with a message naming the size and the purpose
 * ("out of memory allocating 8000000000 bytes for samples") and exit code
 * EBM_EXIT_NOMEM, instead of writing through NULL later. Sizes are products
 * of counts: xmul checks them for overflow first. Readers of files do not use
 * these: they refuse a file whose sizes do not fit with a message of their own. */
#ifndef EBM_XALLOC_H
#define EBM_XALLOC_H

#include <stddef.h>

#define EBM_EXIT_NOMEM 4

void *xmalloc(size_t n, const char *what);
void *xcalloc(size_t count, size_t size, const char *what); /* zeroed; count * size checked */
void *xcalloc_lines(size_t n, const char *what);            /* zeroed, 64-byte aligned (a cache line) */
void *xrealloc(void *p, size_t n, const char *what);
/* a * b, or the same exit when the product does not fit in size_t */
size_t xmul(size_t a, size_t b, const char *what);

#endif
