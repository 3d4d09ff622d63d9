/* libFuzzer: idx_read of arbitrary bytes, plain or gzip, as images (0x803)
 * and as labels (0x801); accepted images are converted to floats. */
#include "fuzz_file.h"
#include "image_sets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("x-idx-ubyte", data, size);
  unsigned char *px;
  int dims[3], rank;
  char err[600];
  if (idx_read(path, 0x801, &px, dims, &rank, err, sizeof err) == 0) free(px);
  if (idx_read(path, 0x803, &px, dims, &rank, err, sizeof err) == 0) {
    ImageSet s = {dims[0], 1, dims[1], dims[2], px, NULL};
    float *out = malloc((size_t)(dims[1] + 4) * (dims[2] + 4) * sizeof(float));
    image_to_floats(&s, dims[0] - 1, 2, 1, out);
    free(out);
    free(px);
  }
  return 0;
}
