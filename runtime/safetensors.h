/* Checkpoints in the safetensors format (huggingface/safetensors):
 *
 *   8 bytes   N, little-endian unsigned header length
 *   N bytes   JSON: {"name": {"dtype": "F32", "shape": [..],
 *                             "data_offsets": [begin, end]}, ...,
 *                    "__metadata__": {"key": "value", ...}}
 *             padded with spaces to a multiple of 8
 *   rest      the data buffer; offsets are relative to its start
 *
 * Only F32 tensors of rank 0..4. st_write adds "crc32" (zlib crc32 of the
 * whole data buffer, 8 lower-case hex digits) to the metadata and st_read
 * requires it, so a checkpoint damaged on disk is refused instead of
 * resuming a run from garbage. Files written elsewhere therefore load only
 * if they carry that key. Writing is atomic (PATH.tmp, fsync, rename, fsync
 * of the directory): after a crash PATH is the old or the new file, whole. */
#ifndef EBM_SAFETENSORS_H
#define EBM_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_RANK 4

typedef struct {
  const char *name;
  int rank;
  int64_t shape[ST_MAX_RANK];
  const float *data;
} StTensor; /* input to write */
typedef struct {
  char *name;
  int rank;
  int64_t shape[ST_MAX_RANK];
  float *data;
} StEntry; /* loaded */
typedef struct {
  StEntry *t;
  int n;
  char **meta_keys;
  char **meta_vals;
  int n_meta;
} StFile;

/* Tensors are laid out in the order given; names must be non-empty, unique
 * and not "__metadata__"; metadata keys must be unique and not "crc32".
 * Returns 0, or -1 with err filled (the old file, if any, is untouched). */
int st_write(const char *path, const StTensor *t, int n, const char *const *meta_keys, const char *const *meta_vals,
             int n_meta, char *err, size_t errlen);

/* Loads every tensor (in header order) and all metadata, crc32 included.
 * Returns 0, or -1 with err naming the file and the first problem found;
 * *out is then empty. Release with st_free either way. */
int st_read(const char *path, StFile *out, char *err, size_t errlen);

const StEntry *st_find(const StFile *f, const char *name); /* NULL if absent */
const char *st_meta(const StFile *f, const char *key);     /* NULL if absent */
void st_free(StFile *f);

#endif
