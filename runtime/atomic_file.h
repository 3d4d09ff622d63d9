/* Whole-file replacement that survives a crash at any moment.
 *
 * Output goes to PATH.tmp in the same directory (so rename stays within one
 * file system); commit flushes and fsyncs it, renames it over PATH and fsyncs
 * the directory so the rename itself is durable. Readers therefore see either
 * the old complete file or the new complete file, never a torn one.
 *
 * What PATH already is decides how it is written (never replaced by a rename
 * unless it is a regular file):
 *  - missing or a regular file: PATH.tmp + rename, as above;
 *  - a symbolic link: the file it resolves to is written the same way (the
 *    temporary file beside it, renamed onto it), the link stays; a link to a
 *    missing file is refused;
 *  - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe):
 *    written through in place, no temporary file, no rename;
 *  - a directory, socket or block device: refused.
 * PATH.tmp is created exclusively and never through a link (O_EXCL |
 * O_NOFOLLOW). A regular PATH.tmp of ours (left by a crashed writer) is
 * removed first; anything else there (a planted link, a FIFO, someone else's
 * file) is left alone and a unique PATH.tmp.PID.K is used instead. Two
 * processes writing the same PATH at once are not supported. */
#ifndef EBM_ATOMIC_FILE_H
#define EBM_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
  FILE *f;    /* write here between open and commit */
  char *path; /* final name (a symlink's resolved target) */
  char *tmp;  /* path + ".tmp" (or a unique variant), NULL when direct */
  int direct; /* writing straight into a device or FIFO */
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
