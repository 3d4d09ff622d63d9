/* The atomic writer never replaces what is not a regular file (issue 28):
 * a symlinked output is written at its target (the link stays), a planted
 * PATH.tmp link is neither followed nor written, a FIFO and /dev/null are
 * written through in place, /dev/full gives an error and stays a device, a
 * link to a missing file and a directory are refused; a crashed writer's
 * regular PATH.tmp is replaced and nothing is left behind. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "check.h"

static int write_text(const char *path, const char *text, char *err, size_t errlen) {
  AtomicFile a;
  if (atomic_open(&a, path, err, errlen)) return -1;
  fputs(text, a.f);
  return atomic_commit(&a, err, errlen);
}

static int has_text(const char *path, const char *text) {
  char buf[256] = "";
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return !strcmp(buf, text);
}

static int is_link(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* no name in test_dir() containing ".tmp" but `allowed` */
static int no_tmp_left(const char *allowed) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "ls -a %s | grep '\\.tmp' | grep -vx '%s' >/dev/null", test_dir(), allowed ? allowed : "");
  return system(cmd) != 0;
}

int main(void) {
  char err[600];
  /* a symlinked output: the target gets the new content, the link stays a link */
  const char *real = test_path("real.txt"), *link = test_path("link.txt");
  FILE *f = fopen(real, "w");
  fputs("old", f);
  fclose(f);
  CHECK(symlink(real, link) == 0, "symlink");
  CHECK(write_text(link, "new", err, sizeof err) == 0, "symlinked output: %s", err);
  CHECK(is_link(link) && has_text(real, "new"), "the link was replaced or its target not written");
  CHECK(no_tmp_left(NULL), "a .tmp left beside the target");

  /* a planted out.txt.tmp -> victim: not followed, not written, left alone */
  const char *victim = test_path("victim.txt"), *out = test_path("out.txt"), *planted = test_path("out.txt.tmp");
  f = fopen(victim, "w");
  fputs("precious", f);
  fclose(f);
  CHECK(symlink(victim, planted) == 0, "symlink");
  CHECK(write_text(out, "data", err, sizeof err) == 0, "planted tmp: %s", err);
  CHECK(has_text(victim, "precious"), "the planted link was followed: victim overwritten");
  CHECK(has_text(out, "data") && is_link(planted), "output missing or planted link touched");
  CHECK(no_tmp_left("out.txt.tmp"), "a unique .tmp left behind");
  /* the same with a dangling planted link: nothing is created at its target */
  const char *out2 = test_path("out2.txt"), *ghost = test_path("ghost.txt");
  CHECK(symlink(ghost, test_path("out2.txt.tmp")) == 0, "symlink");
  CHECK(write_text(out2, "data", err, sizeof err) == 0 && has_text(out2, "data"), "dangling planted tmp: %s", err);
  CHECK(access(ghost, F_OK) != 0, "the dangling planted link was followed");

  /* a crashed writer's regular PATH.tmp is replaced and removed */
  const char *stale = test_path("stale.txt.tmp");
  f = fopen(stale, "w");
  fputs("junk", f);
  fclose(f);
  CHECK(write_text(test_path("stale.txt"), "fresh", err, sizeof err) == 0, "stale tmp: %s", err);
  CHECK(access(stale, F_OK) != 0 && has_text(test_path("stale.txt"), "fresh"), "stale .tmp left or output wrong");

  /* a FIFO is written through: the reader gets the bytes, the FIFO stays */
  const char *fifo = test_path("pipe");
  CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
  pid_t pid = fork();
  if (pid == 0) { /* reader: exit 0 iff it read exactly "through the pipe" */
    char buf[64] = "";
    alarm(20); /* a FIFO replaced by a regular file is never opened for writing: do not wait forever */
    int fd = open(fifo, O_RDONLY);
    ssize_t n = 0, k;
    while ((k = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += k;
    _exit(strcmp(buf, "through the pipe") != 0);
  }
  CHECK(write_text(fifo, "through the pipe", err, sizeof err) == 0, "FIFO: %s", err);
  int status;
  waitpid(pid, &status, 0);
  alarm(0);
  struct stat st;
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the FIFO's reader did not get the data");
  CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");

  /* devices: written through; /dev/full reports the failure and stays a device */
  CHECK(write_text("/dev/null", "x", err, sizeof err) == 0, "/dev/null: %s", err);
  CHECK(lstat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null replaced");
  if (access("/dev/full", W_OK) == 0) {
    CHECK(write_text("/dev/full", "x", err, sizeof err) == -1 && strstr(err, "No space"), "/dev/full: '%s'", err);
    CHECK(lstat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode), "/dev/full replaced");
  }

  /* refused: a link to a missing file (the link stays), a directory */
  const char *dangling = test_path("dangling.txt");
  CHECK(symlink(test_path("nowhere/x"), dangling) == 0, "symlink");
  CHECK(write_text(dangling, "x", err, sizeof err) == -1 && strstr(err, "missing file") && is_link(dangling),
        "dangling link: '%s'", err);
  CHECK(write_text(test_dir(), "x", err, sizeof err) == -1 && strstr(err, "directory"), "directory: '%s'", err);
  return report();
}
