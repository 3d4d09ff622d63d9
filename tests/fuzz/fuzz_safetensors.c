/* libFuzzer: st_read of arbitrary bytes (header JSON, layout, crc32). */
#include "fuzz_file.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write("x.safetensors", data, size);
  StFile f;
  char err[600];
  if (st_read(path, &f, err, sizeof err) == 0) {
    for (int i = 0; i < f.n; i++) { /* touch every loaded value: sizes must match the header */
      int64_t n = 1;
      for (int a = 0; a < f.t[i].rank; a++) n *= f.t[i].shape[a];
      volatile float s = 0;
      for (int64_t k = 0; k < n; k++) s += f.t[i].data[k];
    }
  }
  st_free(&f);
  return 0;
}
