#define _GNU_SOURCE /* fileno, fsync, O_DIRECTORY, O_NOFOLLOW, realpath even under -std=c11 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void release(AtomicFile *a) {
  free(a->path);
  free(a->tmp);
  a->f = NULL;
  a->path = a->tmp = NULL;
  a->direct = 0;
}

/* a->tmp created exclusively beside a->path, never through a link: PATH.tmp,
 * or after a crashed writer's regular PATH.tmp (removed) PATH.tmp again, or
 * beside anything else found there (a planted link, a FIFO: left alone)
 * PATH.tmp.PID.K. Returns the descriptor or -1 with errno. */
static int create_tmp(AtomicFile *a) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(a->tmp, flags, 0666);
  if (fd >= 0 || errno != EEXIST) return fd;
  struct stat st;
  if (lstat(a->tmp, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_nlink == 1 &&
      unlink(a->tmp) == 0) {
    fd = open(a->tmp, flags, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  size_t n = strlen(a->tmp);
  char *unique = realloc(a->tmp, n + 32);
  if (!unique) {
    errno = ENOMEM;
    return -1;
  }
  a->tmp = unique;
  for (int k = 0; k < 100; k++) { /* O_EXCL: an existing name, link or not, is skipped, never opened */
    snprintf(unique + n, 32, ".%ld.%d", (long)getpid(), k);
    fd = open(unique, flags, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

int atomic_open(AtomicFile *a, const char *path, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  /* what PATH is decides how it is written: see atomic_file.h */
  struct stat st;
  int exists = lstat(path, &st) == 0;
  if (!exists && errno != ENOENT) {
    snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return -1;
  }
  char *target = NULL;
  if (exists && S_ISLNK(st.st_mode)) {
    target = realpath(path, NULL);
    if (!target || stat(target, &st) != 0) {
      snprintf(err, errlen, "%s: a symbolic link to a missing file (%s); not replacing the link", path,
               strerror(errno));
      free(target);
      return -1;
    }
  }
  if (exists && S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "%s: is a directory", path);
    free(target);
    return -1;
  }
  if (exists && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    snprintf(err, errlen, "%s: neither a regular file, a device nor a FIFO; not replacing it", path);
    free(target);
    return -1;
  }
  a->path = target ? target : strdup(path);
  if (!a->path) {
    snprintf(err, errlen, "%s: out of memory", path);
    release(a);
    return -1;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* a device or a FIFO: written through in place (a rename would replace the node) */
    int fd = open(a->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    a->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!a->f) {
      snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
      if (fd >= 0) close(fd);
      release(a);
      return -1;
    }
    a->direct = 1;
    return 0;
  }
  size_t n = strlen(a->path);
  a->tmp = malloc(n + 5);
  if (!a->tmp) {
    snprintf(err, errlen, "%s: out of memory", path);
    release(a);
    return -1;
  }
  memcpy(a->tmp, a->path, n);
  memcpy(a->tmp + n, ".tmp", 5);
  int fd = create_tmp(a);
  a->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!a->f) {
    snprintf(err, errlen, "%s: cannot create %s: %s", path, a->tmp, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(a->tmp);
    }
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
  /* devices and FIFOs cannot be synced (EINVAL): their data is written, nothing more to wait for */
  if (!bad && fsync(fileno(a->f)) != 0 && !(a->direct && (errno == EINVAL || errno == EROFS))) bad = 1;
  int e = errno;
  if (fclose(a->f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  a->f = NULL;
  if (bad) {
    snprintf(err, errlen, "%s: writing %s failed: %s", a->path, a->direct ? a->path : a->tmp, strerror(e));
    if (!a->direct) unlink(a->tmp);
    release(a);
    return -1;
  }
  if (a->direct) {
    release(a);
    return 0;
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
  if (a->tmp && !a->direct) unlink(a->tmp);
  release(a);
}
