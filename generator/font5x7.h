/* A tiny 5x7 bitmap font (the HD44780 character shapes) for labels in
 * plots: capital letters (lower case is drawn in capitals), digits and
 * - _ . , : = / ( ) + ! and space; any other character is drawn as '?'. */
#ifndef EBM_FONT5X7_H
#define EBM_FONT5X7_H

#include <stdint.h>

#include "png.h"

/* Pixels one character advances at a scale: 5 columns and a 1-column gap. */
#define FONT_ADVANCE(scale) (6 * (scale))
#define FONT_HEIGHT(scale) (7 * (scale))

/* Paints text with its top-left corner at pixel (r, c) of the region, each
 * font pixel a scale x scale square of colour rgb; draws at most max_chars. */
void font_draw(PngRegion at, int r, int c, const char *text, int max_chars, int scale, const uint8_t rgb[3]);

#endif
