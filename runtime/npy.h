/* NumPy .npy files of float32, the trainers' data and sample format.
 *
 * Writes format 1.0, dtype '<f4', C order, header padded so that data starts
 * at a multiple of 64 bytes (as numpy.save does). Reads headers of versions
 * 1.0, 2.0 and 3.0 but only '<f4' data in C order of rank 0..4, and refuses
 * anything else with a message naming the file, what it found and what was
 * expected. The byte count must match the header exactly, so a truncated
 * file or one with trailing bytes is an error rather than silently used. */
#ifndef EBM_NPY_H
#define EBM_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_RANK 4

/* Atomic write (PATH.tmp, fsync, rename). shape has rank entries, each >= 0.
 * Returns 0, or -1 with err filled. */
int npy_write_f32(const char *path, const float *data, int rank, const int64_t *shape, char *err, size_t errlen);

/* On success *data is malloc'ed (free it; non-NULL even for 0 elements),
 * *rank and shape[0..rank-1] describe it, and 0 is returned. Otherwise -1,
 * *data = NULL and err says why, e.g. "x.npy: dtype '<f8' is not float32 ('<f4')". */
int npy_read_f32(const char *path, float **data, int *rank, int64_t shape[NPY_MAX_RANK], char *err, size_t errlen);

/* The same, but float64 ('<f8') data are accepted too and rounded to float
 * (*was_f64 = 1; 0 for float32): data sets as numpy saves them by default. */
int npy_read_real(const char *path, float **data, int *rank, int64_t shape[NPY_MAX_RANK], int *was_f64, char *err,
                  size_t errlen);

/* The header of a float32 or float64 file only (rank, shape, *was_f64), with
 * the file's size checked against it: what `ebmforge build` needs of a data file. */
int npy_read_header(const char *path, int *rank, int64_t shape[NPY_MAX_RANK], int *was_f64, char *err, size_t errlen);

/* Training points: rank 2, shape [N, want_cols] with N >= 1, every value
 * finite. path only labels the messages. Returns 0 or -1 with err filled
 * (the first non-finite value is named by row and column). */
int npy_check_points(const char *path, const float *data, int rank, const int64_t *shape, int want_cols, char *err,
                     size_t errlen);

#endif
