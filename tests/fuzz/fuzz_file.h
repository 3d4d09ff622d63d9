/* The readers under fuzzing take paths: each input is written to one scratch
 * file per process (under $TMPDIR, /dev/shm where it exists: no disk I/O),
 * removed at exit. */
#ifndef EBM_FUZZ_FILE_H
#define EBM_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];

static void fuzz_cleanup(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
  if (fuzz_dir[0]) (void)!system(cmd);
}

/* a fresh directory of this process */
static const char *fuzz_scratch(void) {
  if (!fuzz_dir[0]) {
    const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/ebmfuzz.XXXXXX", t);
    if (!mkdtemp(fuzz_dir)) { perror("mkdtemp"); abort(); }
    atexit(fuzz_cleanup);
  }
  return fuzz_dir;
}

/* data written to scratch/name; returns the path (static buffer) */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t size) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", fuzz_scratch(), name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) { perror(path); abort(); }
  return path;
}

#endif
