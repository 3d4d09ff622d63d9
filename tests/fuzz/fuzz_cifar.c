/* libFuzzer: the CIFAR-10 record reader on an arbitrary file, as a file of
 * 3 records (image_set_open reads 10000-record files with the same function;
 * 30 MB an input would be too slow to fuzz). */
#include "fuzz_file.h"
#include "image_sets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("batch.bin", data, size);
  unsigned char labels[3], pixels[3 * 3072];
  char err[600];
  cifar_read(path, 3, labels, pixels, err, sizeof err);
  return 0;
}
