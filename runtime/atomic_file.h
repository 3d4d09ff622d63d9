/* Whole-file replacement that survives a crash at any moment.
 *
 * Output goes to PATH.tmp in the same directory (so rename stays within one
 * file system); commit flushes and fsyncs it, renames it over PATH and fsyncs
 * the directory so the rename itself is durable. Readers therefore see either
 * the old complete file or the new complete file, never a torn one. */
#ifndef EBM_ATOMIC_FILE_H
#define EBM_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
  FILE *f;    /* write here between open and commit */
  char *path; /* final name */
  char *tmp;  /* path + ".tmp" */
} AtomicFile;

/* Returns 0, or -1 with err naming the file that could not be created. */
int atomic_open(AtomicFile *a, const char *path, char *err, size_t errlen);

/* Flush, fsync, rename over path, fsync the directory, release a. Returns 0,
 * or -1 with err filled; on failure the .tmp file is removed and path is left
 * as it was. */
int atomic_commit(AtomicFile *a, char *err, size_t errlen);

/* Give up: close and remove the .tmp file, release a. */
void atomic_abort(AtomicFile *a);

#endif
