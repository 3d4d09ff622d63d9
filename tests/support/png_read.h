/* Reading a PNG back as 8-bit RGB (tests of the figures): the pixels, row 0
 * at the top, or NULL; *w, *h receive the size. free() the result. */
#ifndef EBM_TEST_PNG_READ_H
#define EBM_TEST_PNG_READ_H

#include <stdint.h>

uint8_t *test_png_load(const char *path, int *w, int *h);

#endif
