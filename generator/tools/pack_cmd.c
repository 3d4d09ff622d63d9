/* `ebmforge pack out/<model>/<combination>`: a tarball that runs anywhere
 * with the same shared libraries. It holds the trainer binaries, config.json
 * (the resolved model), run.sh and manifest.json: the model's identity and
 * shapes (from the trainer's own `info`), the compiler and flags (from
 * build.ninja), CUDA architectures, and per binary the shared libraries
 * `ldd` reports with their Debian package and version. */
#include "pack_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  char *s;
  size_t n;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  b->s = realloc(b->s, b->n + k + 1);
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, k + 1, fmt, ap);
  va_end(ap);
  b->n += k;
}

/* s as a JSON string */
static void put_str(Buf *b, const char *s) {
  put(b, "\"");
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\')
      put(b, "\\%c", *s);
    else if ((unsigned char)*s < 32)
      put(b, "\\u%04x", *s);
    else
      put(b, "%c", *s);
  }
  put(b, "\"");
}

/* s single-quoted for sh */
static char *shq(const char *s) {
  Buf b = {0};
  put(&b, "'");
  for (; *s; s++) put(&b, *s == '\'' ? "'\\''" : "%c", *s);
  put(&b, "'");
  return b.s;
}

/* stdout of a shell command (stderr discarded), or NULL when it fails */
static char *capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *capture(const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  strncat(cmd, " 2>/dev/null", sizeof cmd - strlen(cmd) - 1);
  FILE *p = popen(cmd, "r");
  if (!p) return NULL;
  Buf b = {0};
  put(&b, "%s", "");
  char line[4096];
  while (fgets(line, sizeof line, p)) put(&b, "%s", line);
  if (pclose(p)) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

static char *first_line(char *s) {
  if (s) s[strcspn(s, "\n")] = 0;
  return s;
}

/* value of `key = value` in build.ninja text, or "" */
static char *ninja_var(const char *ninja, const char *key) {
  size_t kl = strlen(key);
  for (const char *p = ninja; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (!strncmp(p, key, kl) && !strncmp(p + kl, " = ", 3)) return strndup(p + kl + 3, strcspn(p + kl + 3, "\n"));
  return strdup("");
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  Buf b = {0};
  put(&b, "%s", "");
  char chunk[4096];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk - 1, f)) > 0) {
    chunk[k] = 0;
    put(&b, "%s", chunk);
  }
  fclose(f);
  return b.s;
}

/* CUDA architectures named in build.ninja (sm_XX / compute_XX), as a JSON array */
static void put_cuda_archs(Buf *b, const char *ninja) {
  char seen[64][16];
  int n = 0;
  put(b, "[");
  for (const char *p = ninja; p && (p = strstr(p, "sm_")); p += 3) {
    if (p > ninja && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) continue;
    int len = 3;
    while (p[len] >= '0' && p[len] <= '9') len++;
    if (p[len] == 'a') len++;
    if (len == 3 || len >= 16) continue;
    int dup = 0;
    for (int i = 0; i < n; i++) dup |= (int)strlen(seen[i]) == len && !strncmp(seen[i], p, len);
    if (dup || n == 64) continue;
    snprintf(seen[n], sizeof seen[n], "%.*s", len, p);
    put(b, "%s", n ? ", " : "");
    put_str(b, seen[n++]);
  }
  put(b, "]");
}

/* One shared library of `ldd BIN`, with the Debian package that ships it. */
static void put_library(Buf *b, const char *soname, const char *path) {
  char *pkg = NULL, *ver = NULL;
  if (path) {
    char *q = shq(path);
    pkg = capture("dpkg -S %s", q);
    if (!pkg) { /* merged /usr: dpkg may know the file under its other name */
      char real[4096];
      if (realpath(path, real)) {
        free(q);
        q = shq(real);
        pkg = capture("dpkg -S %s", q);
      }
    }
    free(q);
    if (pkg) {
      pkg[strcspn(pkg, ":,\n")] = 0; /* "libc6:amd64: /lib/..." */
      char *qp = shq(pkg);
      ver = first_line(capture("dpkg-query -W -f='${Version}' %s", qp));
      free(qp);
    }
  }
  put(b, "        {\"soname\": ");
  put_str(b, soname);
  put(b, ", \"path\": ");
  if (path)
    put_str(b, path);
  else
    put(b, "null");
  put(b, ", \"package\": ");
  if (pkg)
    put_str(b, pkg);
  else
    put(b, "null");
  put(b, ", \"version\": ");
  if (ver)
    put_str(b, ver);
  else
    put(b, "null");
  put(b, "}");
  free(pkg);
  free(ver);
}

/* the "libraries" array of one binary; -1 when ldd fails or a library is missing */
static int put_libraries(Buf *b, const char *bin) {
  char *q = shq(bin), *out = capture("ldd %s", q);
  free(q);
  if (!out) {
    fprintf(stderr, "ebmforge: ldd %s failed\n", bin);
    return -1;
  }
  int n = 0, rc = 0;
  put(b, "[\n");
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
    while (*line == ' ' || *line == '\t') line++;
    if (strstr(line, "not found")) {
      fprintf(stderr, "ebmforge: %s needs %s\n", bin, line);
      rc = -1;
      break;
    }
    char *arrow = strstr(line, " => "), *paren = strstr(line, " (0x");
    if (!paren) continue; /* "statically linked" */
    *paren = 0;
    if (n++) put(b, ",\n");
    if (arrow) {
      *arrow = 0;
      put_library(b, line, arrow + 4);
    } else
      put_library(b, line, line[0] == '/' ? line : NULL); /* the loader, or the kernel's vDSO */
  }
  put(b, "\n      ]");
  free(out);
  return rc;
}

/* `train-cpu info`: model, method, data, fingerprint, parameters, flops/step and the variables */
static int put_model(Buf *b, const char *bin) {
  char *q = shq(bin), *info = capture("%s info", q);
  free(q);
  if (!info) {
    fprintf(stderr, "ebmforge: %s info failed\n", bin);
    return -1;
  }
  static const char *keys[] = {"model", "method", "data", "fingerprint", "parameters", "flops/step"};
  char vals[6][256] = {"", "", "", "", "0", "0"};
  Buf vars = {0};
  put(&vars, "%s", "");
  int n = 0;
  for (char *line = strtok(info, "\n"); line; line = strtok(NULL, "\n")) {
    char key[64], val[256], shape[128];
    if (line[0] == ' ') { /* "  param  energy.fc1.weight  [100,2]" */
      if (sscanf(line, " %63s %255s [%127[^]]]", key, val, shape) != 3) continue;
      put(&vars, "%s\n    {\"kind\": ", n++ ? "," : "");
      put_str(&vars, key);
      put(&vars, ", \"name\": ");
      put_str(&vars, val);
      put(&vars, ", \"shape\": [%s]}", shape);
      continue;
    }
    if (sscanf(line, "%63s %255s", key, val) != 2) continue;
    for (int k = 0; k < 6; k++)
      if (!strcmp(key, keys[k])) snprintf(vals[k], sizeof vals[k], "%s", val);
  }
  for (int k = 0; k < 4; k++) {
    put(b, "  \"%s\": ", keys[k]);
    put_str(b, vals[k]);
    put(b, ",\n");
  }
  put(b, "  \"parameters\": %ld,\n  \"matmul_flops_per_step\": %.6g,\n  \"variables\": [%s\n  ],\n", atol(vals[4]),
      atof(vals[5]), vars.s);
  free(vars.s);
  free(info);
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* executable regular files train-* of dir, sorted */
static int list_trainers(const char *dir, char ***names) {
  DIR *d = opendir(dir);
  int n = 0;
  *names = NULL;
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (strncmp(e->d_name, "train-", 6) || stat(path, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) continue;
    *names = realloc(*names, (n + 1) * sizeof(char *));
    (*names)[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(*names, n, sizeof(char *), cmp_str);
  return n;
}

static int write_text(const char *path, const char *text, int mode) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode)) {
    fprintf(stderr, "ebmforge: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

static char *run_script(const char *model, const char *method, const char *first, int ranks) {
  Buf b = {0};
  put(&b,
      "#!/bin/sh\n"
      "# The packed trainer of model %s (method %s); see manifest.json and config.json.\n"
      "#   ./run.sh train --iters 3000 --out runs/a     # log.jsonl, ckpt.safetensors, plots\n"
      "#   ./run.sh train --resume runs/a/ckpt.safetensors --iters 6000 --out runs/a\n"
      "#   ./run.sh sample --ckpt runs/a/ckpt.safetensors -n 2000 -o samples.npy\n"
      "# EBM_TRAINER picks another binary of the package (default %s).\n"
      "here=$(cd \"$(dirname \"$0\")\" && pwd)\n"
      "bin=\"$here/${EBM_TRAINER:-%s}\"\n"
      "[ $# -gt 0 ] || exec \"$bin\" --help\n",
      model, method, first, first);
  if (ranks > 1)
    put(&b,
        "# built for %d data-parallel ranks: outside mpirun/srun, train starts them with mpirun\n"
        "if [ \"$1\" = train ] && [ -z \"${OMPI_COMM_WORLD_SIZE:-}${PMI_RANK:-}${SLURM_PROCID:-}\" ]; then\n"
        "  exec mpirun -np %d ${EBM_MPIRUN_FLAGS:-} \"$bin\" \"$@\"\n"
        "fi\n",
        ranks, ranks);
  put(&b, "exec \"$bin\" \"$@\"\n");
  return b.s;
}

int pack_trainers(const char *dir, const char *out_file) {
  char path[9000], stage[4200], sub[8400];
  char **bins = NULL;
  int n_bins = list_trainers(dir, &bins);
  if (n_bins <= 0) {
    fprintf(stderr,
            "ebmforge: %s holds no trainer binaries (train-*): generate with `ebmforge build` and compile with "
            "`ninja -C` its parent first\n",
            dir);
    return 2;
  }
  snprintf(path, sizeof path, "%s/config.json", dir);
  char *config = read_all(path);
  snprintf(path, sizeof path, "%s/../build.ninja", dir);
  char *ninja = read_all(path);
  if (!config || !ninja) {
    fprintf(stderr, "ebmforge: %s/config.json or %s/../build.ninja is missing: regenerate with `ebmforge build`\n", dir,
            dir);
    return 2;
  }
  /* package name: <model dir>-<combination> */
  char abs[4096], *combo, *model_dir;
  if (!realpath(dir, abs)) {
    fprintf(stderr, "ebmforge: %s: %s\n", dir, strerror(errno));
    return 2;
  }
  combo = strrchr(abs, '/');
  *combo++ = 0;
  model_dir = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
  char name[4200], dflt_out[4300];
  snprintf(name, sizeof name, "%.2000s-%.2000s", model_dir, combo);
  snprintf(dflt_out, sizeof dflt_out, "%s.tar.gz", name);
  if (!out_file) out_file = dflt_out;
  int ranks = 1;
  char *r = strstr(config, "\"mpi_ranks\": ");
  if (r) ranks = atoi(r + 13);

  Buf m = {0};
  char first_bin[4400];
  snprintf(first_bin, sizeof first_bin, "%s/%s/%s", abs, combo, bins[0]);
  put(&m, "{\n  \"format\": \"ebmforge-pack-1\",\n");
  int rc = put_model(&m, first_bin) ? 1 : 0;
  char *cc = ninja_var(ninja, "cc"), *cflags = ninja_var(ninja, "cflags"), *libs = ninja_var(ninja, "libs");
  char *qcc = shq(cc), *ccv = first_line(capture("%s --version", qcc));
  put(&m, "  \"mpi_ranks\": %d,\n  \"compiler\": {\"cc\": ", ranks);
  put_str(&m, cc);
  put(&m, ", \"version\": ");
  put_str(&m, ccv ? ccv : "unknown");
  put(&m, ", \"cflags\": ");
  put_str(&m, cflags);
  put(&m, ", \"libs\": ");
  put_str(&m, libs);
  put(&m, "},\n  \"cuda_architectures\": ");
  put_cuda_archs(&m, ninja);
  time_t now = time(NULL);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  put(&m, ",\n  \"created\": \"%s\",\n  \"binaries\": [", when);
  for (int i = 0; i < n_bins && !rc; i++) {
    char bin[4400];
    struct stat st;
    snprintf(bin, sizeof bin, "%s/%s/%s", abs, combo, bins[i]);
    stat(bin, &st);
    put(&m, "%s\n    {\"file\": ", i ? "," : "");
    put_str(&m, bins[i]);
    put(&m, ", \"bytes\": %lld,\n      \"libraries\": ", (long long)st.st_size);
    if (put_libraries(&m, bin)) rc = 1;
    put(&m, "}");
  }
  put(&m, "\n  ]\n}\n");

  /* stage <name>/ in a fresh temporary directory, then tar it */
  snprintf(stage, sizeof stage, "%s/ebmforge-pack.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!rc && !mkdtemp(stage)) {
    fprintf(stderr, "ebmforge: cannot create %s: %s\n", stage, strerror(errno));
    rc = 1;
  }
  snprintf(sub, sizeof sub, "%s/%s", stage, name);
  if (!rc && mkdir(sub, 0755)) {
    fprintf(stderr, "ebmforge: cannot create %s: %s\n", sub, strerror(errno));
    rc = 1;
  }
  for (int i = 0; i < n_bins && !rc; i++) {
    char *src, *dst;
    snprintf(path, sizeof path, "%s/%s/%s", abs, combo, bins[i]);
    src = shq(path);
    snprintf(path, sizeof path, "%s/%s", sub, bins[i]);
    dst = shq(path);
    char cmd[20000];
    snprintf(cmd, sizeof cmd, "cp %s %s", src, dst);
    if (system(cmd)) {
      fprintf(stderr, "ebmforge: %s failed\n", cmd);
      rc = 1;
    }
    free(src);
    free(dst);
  }
  char *model_name = strdup(strstr(m.s, "\"model\": \"") ? strstr(m.s, "\"model\": \"") + 10 : "?\"");
  char *method = strdup(strstr(m.s, "\"method\": \"") ? strstr(m.s, "\"method\": \"") + 11 : "?\"");
  model_name[strcspn(model_name, "\"")] = 0;
  method[strcspn(method, "\"")] = 0;
  char *script = run_script(model_name, method, bins[0], ranks);
  snprintf(path, sizeof path, "%s/manifest.json", sub);
  if (!rc) rc = write_text(path, m.s, 0644) ? 1 : 0;
  snprintf(path, sizeof path, "%s/config.json", sub);
  if (!rc) rc = write_text(path, config, 0644) ? 1 : 0;
  snprintf(path, sizeof path, "%s/run.sh", sub);
  if (!rc) rc = write_text(path, script, 0755) ? 1 : 0;
  if (!rc) {
    char *qo = shq(out_file), *qs = shq(stage), *qn = shq(name), cmd[20000];
    snprintf(cmd, sizeof cmd, "tar -czf %s.tmp -C %s %s && mv %s.tmp %s", qo, qs, qn, qo, qo);
    if (system(cmd)) {
      fprintf(stderr, "ebmforge: writing %s failed\n", out_file);
      rc = 1;
    }
    free(qo);
    free(qs);
    free(qn);
  }
  if (stage[strlen(stage) - 1] != 'X') {
    char *qs = shq(stage), cmd[4400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", qs);
    if (system(cmd)) fprintf(stderr, "ebmforge: could not remove %s\n", stage);
    free(qs);
  }
  if (!rc && strstr(cflags, "-march=native"))
    fprintf(stderr,
            "ebmforge: note: built with -march=native, the trainers run only on CPUs with this machine's "
            "instruction set (for any x86-64: ebmforge build --cflags '-O3 -ffp-contract=off')\n");
  if (!rc) {
    struct stat st;
    stat(out_file, &st);
    fprintf(stderr,
            "ebmforge: wrote %s (%lld bytes): %s/ with %d trainer binar%s, manifest.json, config.json, run.sh\n",
            out_file, (long long)st.st_size, name, n_bins, n_bins == 1 ? "y" : "ies");
  }
  for (int i = 0; i < n_bins; i++) free(bins[i]);
  free(bins);
  free(config);
  free(ninja);
  free(m.s);
  free(cc);
  free(cflags);
  free(libs);
  free(qcc);
  free(ccv);
  free(model_name);
  free(method);
  free(script);
  return rc;
}
