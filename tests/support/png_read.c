#include "png_read.h"

#include <stdlib.h>
#include <string.h>

#include <libpng16/png.h> /* the system libpng (runtime/png.h shadows <png.h>) */

uint8_t *test_png_load(const char *path, int *w, int *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path)) return NULL;
  img.format = PNG_FORMAT_RGB;
  uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    free(buf);
    return NULL;
  }
  *w = (int)img.width, *h = (int)img.height;
  return buf;
}
