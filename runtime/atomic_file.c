#define _POSIX_C_SOURCE 200809L /* fileno, fsync, O_DIRECTORY even under -std=c11 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void release(AtomicFile *a) {
  free(a->path);
  free(a->tmp);
  a->f = NULL;
  a->path = a->tmp = NULL;
}

int atomic_open(AtomicFile *a, const char *path, char *err, size_t errlen) {
  size_t n = strlen(path);
  a->f = NULL;
  a->path = malloc(n + 1);
  a->tmp = malloc(n + 5);
  if (!a->path || !a->tmp) {
    snprintf(err, errlen, "%s: out of memory", path);
    release(a);
    return -1;
  }
  memcpy(a->path, path, n + 1);
  memcpy(a->tmp, path, n);
  memcpy(a->tmp + n, ".tmp", 5);
  a->f = fopen(a->tmp, "wb");
  if (!a->f) {
    snprintf(err, errlen, "%s: cannot create %s: %s", path, a->tmp, strerror(errno));
    release(a);
    return -1;
  }
  return 0;
}

/* fsync of the directory holding path, so the new directory entry is on disk. */
static int sync_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (!slash) {
    strcpy(dir, ".");
  } else {
    size_t len = slash == path ? 1 : (size_t)(slash - path); /* "/x" lives in "/" */
    if (len >= sizeof dir) return -1;
    memcpy(dir, path, len);
    dir[len] = '\0';
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  if (rc != 0 && errno == EINVAL) rc = 0; /* file systems that cannot sync a directory */
  close(fd);
  return rc;
}

int atomic_commit(AtomicFile *a, char *err, size_t errlen) {
  int bad = ferror(a->f);
  if (!bad && fflush(a->f) != 0) bad = 1;
  if (!bad && fsync(fileno(a->f)) != 0) bad = 1;
  int e = errno;
  if (fclose(a->f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  a->f = NULL;
  if (bad) {
    snprintf(err, errlen, "%s: writing %s failed: %s", a->path, a->tmp, strerror(e));
    unlink(a->tmp);
    release(a);
    return -1;
  }
  if (rename(a->tmp, a->path) != 0) {
    snprintf(err, errlen, "%s: cannot rename %s into place: %s", a->path, a->tmp, strerror(errno));
    unlink(a->tmp);
    release(a);
    return -1;
  }
  if (sync_dir(a->path) != 0) {
    snprintf(err, errlen, "%s: written, but fsync of its directory failed: %s", a->path, strerror(errno));
    release(a);
    return -1;
  }
  release(a);
  return 0;
}

void atomic_abort(AtomicFile *a) {
  if (a->f) fclose(a->f);
  if (a->tmp) unlink(a->tmp);
  release(a);
}
