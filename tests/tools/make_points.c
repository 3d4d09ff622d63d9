/* make_points OUT.npy N D SEED [f64]: N rows of D columns from two Gaussian
 * blobs (centres +-2 on the first axis, spread 0.5 x the axis number), as a
 * .npy file numpy would write (float32, or float64 with `f64`). Data sets
 * for the shell tests, made without Python. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static double uniform(void) { /* splitmix64: (0, 1) */
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return ((z ^ (z >> 31)) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: make_points OUT.npy N D SEED [f64]\n");
    return 2;
  }
  long n = atol(argv[2]);
  int d = atoi(argv[3]), f64 = argc > 5 && !strcmp(argv[5], "f64");
  state = strtoull(argv[4], NULL, 10);
  char dict[200];
  int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%ld, %d), }",
                     f64 ? "<f8" : "<f4", n, d);
  int hl = (10 + len + 1 + 63) / 64 * 64 - 10;
  FILE *f = fopen(argv[1], "wb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(hl & 0xff, f);
  fputc(hl >> 8, f);
  fprintf(f, "%-*s\n", hl - 1, dict);
  for (long i = 0; i < n; i++)
    for (int c = 0; c < d; c++) {
      double g = sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
      double v = 0.5 * (c + 1) * g + (c == 0 ? (i % 2 ? 2 : -2) : 0);
      float x = (float)v;
      if (f64)
        fwrite(&v, 8, 1, f);
      else
        fwrite(&x, 4, 1, f);
    }
  return fclose(f) ? 1 : 0;
}
