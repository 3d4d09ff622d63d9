/* Writes out/<model>/<combination>/model.c and out/<model>/build.ninja from
 * the templates. Files are rewritten only when their content changes, so
 * Ninja rebuilds exactly what a change touched. */
#include "build_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebm_version.h"
#include "emit_c.h"
#include "emit_cuda.h"
#include "fsutil.h"
#include "shard.h"

#ifndef EBM_SOURCE_DIR
#error "EBM_SOURCE_DIR must name the source tree (runtime/ and templates/)"
#endif
#ifndef EBM_TRAINER_LIBS
#define EBM_TRAINER_LIBS "-lopenblas -lpng -lz -lm"
#endif
/* The runtime's header directories, for cc and nvcc alike (@RUNTIME_INCLUDES@
 * of the templates): the one place a runtime header's folder is named. */
#define RUNTIME_INCLUDES \
  "-I" EBM_SOURCE_DIR "/runtime -I" EBM_SOURCE_DIR "/runtime/trainer -I" EBM_SOURCE_DIR "/runtime/dist"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc(n + 1);
  if (fread(s, 1, n, f) != (size_t)n) {
    free(s);
    fclose(f);
    return NULL;
  }
  s[n] = 0;
  fclose(f);
  return s;
}

/* templates/<name>, or NULL with a message */
static char *read_template(const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/templates/%s", EBM_SOURCE_DIR, name);
  char *text = read_file(path);
  if (!text) fprintf(stderr, "ebmforge: templates missing under %s/templates\n", EBM_SOURCE_DIR);
  return text;
}

/* Writes only if different (keeps timestamps, hence incremental rebuilds);
 * `always` for build.ninja, which Ninja must see renewed after a regeneration. */
static int write_if_changed(const char *path, const char *text, int always) {
  char *old = read_file(path);
  int same = old && !strcmp(old, text);
  free(old);
  if (same && !always) return 0;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (!f || fputs(text, f) < 0 || fclose(f)) {
    fprintf(stderr, "ebmforge: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (rename(tmp, path)) {
    fprintf(stderr, "ebmforge: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* text with every @KEY@ replaced; keys/vals NULL-terminated */
static char *fill(const char *tpl, const char *const *keys, const char *const *vals) {
  size_t cap = strlen(tpl) + 1, n = 0;
  for (int k = 0; keys[k]; k++) cap += 8 * strlen(vals[k]);
  char *out = malloc(cap);
  for (const char *p = tpl; *p;) {
    int hit = 0;
    if (*p == '@')
      for (int k = 0; keys[k]; k++) {
        size_t kl = strlen(keys[k]);
        if (!strncmp(p + 1, keys[k], kl) && p[kl + 1] == '@') {
          size_t vl = strlen(vals[k]);
          if (n + vl + 1 > cap) {
            cap = 2 * (n + vl + 1);
            out = realloc(out, cap);
          }
          memcpy(out + n, vals[k], vl);
          n += vl;
          p += kl + 2;
          hit = 1;
          break;
        }
      }
    if (hit) continue;
    if (n + 2 > cap) {
      cap *= 2;
      out = realloc(out, cap);
    }
    out[n++] = *p++;
  }
  out[n] = 0;
  return out;
}

/* s as the inside of a C string literal (malloc'd) */
static char *c_escaped(const char *s) {
  char *out = malloc(4 * strlen(s) + 1), *o = out;
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') {
      *o++ = '\\';
      *o++ = *s;
    } else if ((unsigned char)*s < 32)
      o += sprintf(o, "\\%03o", *s);
    else
      *o++ = *s;
  }
  *o = 0;
  return out;
}

/* nvcc on PATH or in /usr/local/cuda/bin, or NULL */
static char *find_nvcc(void) {
  const char *path = getenv("PATH");
  char cand[4200];
  for (const char *p = path ? path : ""; *p;) {
    size_t n = strcspn(p, ":");
    snprintf(cand, sizeof cand, "%.*s/nvcc", (int)n, p);
    if (n && !access(cand, X_OK)) return strdup(cand);
    p += n + (p[n] == ':');
  }
  return access("/usr/local/cuda/bin/nvcc", X_OK) ? NULL : strdup("/usr/local/cuda/bin/nvcc");
}

/* The directory two levels above nvcc (.../bin/nvcc -> ...): the toolkit's root */
static void cuda_root(const char *nvcc, char *root, size_t n) {
  snprintf(root, n, "%s", nvcc);
  for (int k = 0; k < 2; k++) {
    char *slash = strrchr(root, '/');
    if (slash) *slash = 0;
  }
}

/* NCCL for a data-parallel train-cuda: from $NCCL_HOME when set (only there),
 * else the CUDA toolkit or /usr; 0 with the root (holding include/nccl.h) and
 * the directory of libnccl.so, -1 when they are not both found under one root. */
static int find_nccl(const char *nvcc, char *root, size_t root_n, char *libdir, size_t libdir_n) {
  char cuda[4096], path[4300];
  cuda_root(nvcc, cuda, sizeof cuda);
  const char *home = getenv("NCCL_HOME"), *roots[2] = {cuda, "/usr"};
  int n = 2;
  if (home && *home) {
    roots[0] = home;
    n = 1;
  }
  static const char *libdirs[] = {"lib64", "lib", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"};
  for (int r = 0; r < n; r++) {
    snprintf(path, sizeof path, "%.4096s/include/nccl.h", roots[r]);
    if (access(path, R_OK)) continue;
    for (int k = 0; k < 4; k++) {
      snprintf(path, sizeof path, "%.4096s/%s/libnccl.so", roots[r], libdirs[k]);
      if (access(path, R_OK)) continue;
      snprintf(root, root_n, "%s", roots[r]);
      snprintf(libdir, libdir_n, "%s/%s", roots[r], libdirs[k]);
      return 0;
    }
  }
  return -1;
}

/* Open MPI's link flags (`mpicc --showme:link`) in nvcc's syntax, or NULL (another MPI, or none) */
static char *mpi_link_flags(void) {
  FILE *p = popen("mpicc --showme:link 2>/dev/null", "r");
  if (!p) return NULL;
  char line[4096] = "";
  char *got = fgets(line, sizeof line, p);
  int rc = pclose(p);
  if (!got || rc) return NULL;
  char *out = calloc(3 * sizeof line, 1);
  for (char *t = strtok(line, " \t\n"); t; t = strtok(NULL, " \t\n")) {
    size_t k = strlen(out);
    if (!strncmp(t, "-Wl,", 4)) { /* -Wl,a,b -> -Xlinker a,b */
      snprintf(out + k, 3 * sizeof line - k, " -Xlinker %s", t + 4);
    } else if (t[0] == '-' && (t[1] == 'L' || t[1] == 'l' || t[1] == 'I')) {
      snprintf(out + k, 3 * sizeof line - k, " %s", t);
    } else {
      snprintf(out + k, 3 * sizeof line - k, " -Xcompiler %s", t);
    }
  }
  return out;
}

/* "80,90" -> "-gencode arch=compute_80,code=sm_80 ..."; NULL if malformed */
static char *gencode_flags(const char *archs) {
  size_t cap = 64 * (strlen(archs) + 1);
  char *out = calloc(cap, 1);
  for (const char *p = archs; *p;) {
    size_t n = strcspn(p, ",");
    if (n == 0 || n > 4 || strspn(p, "0123456789") < n) {
      free(out);
      return NULL;
    }
    size_t k = strlen(out);
    snprintf(out + k, cap - k, "%s-gencode arch=compute_%.*s,code=sm_%.*s", k ? " " : "", (int)n, p, (int)n, p);
    p += n + (p[n] == ',');
  }
  if (!*out) {
    free(out);
    return NULL;
  }
  return out;
}

int build_cuda_arch_parse(const char *value, void *dest) {
  char *gencode = gencode_flags(value);
  if (!gencode) return -1;
  free(gencode);
  *(const char **)dest = value;
  return 0;
}

/* The nvcc variables and rules of build.ninja: templates/cuda_rules.ninja.in
 * filled (the CUDA libraries: lib64 beside nvcc's bin/), after `dist`, the
 * filled templates/cuda_dist.ninja.in of a data-parallel trainer, or NULL. */
static char *cuda_rules(const char *tpl, const char *nvcc, const char *gencode, const char *dist) {
  char root[4200];
  cuda_root(nvcc, root, sizeof root);
  const char *keys[] = {"NVCC",         "GENCODE",   "RUNTIME_INCLUDES", "RUNTIME",
                        "NCCL_INCLUDE", "CUDA_ROOT", "DIST_LIBS",        NULL};
  const char *vals[] = {nvcc,
                        gencode,
                        RUNTIME_INCLUDES,
                        EBM_SOURCE_DIR "/runtime",
                        dist ? " $nccl_include" : "",
                        root,
                        dist ? " $nccl_libs $mpi_libs" : "",
                        NULL};
  char *text = fill(tpl, keys, vals);
  if (dist) { /* declared first: nvflags and cudalibs read them */
    char *both = malloc(strlen(text) + strlen(dist) + 1);
    sprintf(both, "%s%s", dist, text);
    free(text);
    text = both;
  }
  return text;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* sorted *.c files of a directory */
static int list_c(const char *dir, char ***names) {
  DIR *d = opendir(dir);
  int n = 0;
  *names = NULL;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 2 && !strcmp(e->d_name + l - 2, ".c")) {
      *names = realloc(*names, (n + 1) * sizeof(char *));
      (*names)[n++] = strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(*names, n, sizeof(char *), cmp_str);
  return n;
}

static void append(char **s, size_t *n, const char *fmt, const char *a, const char *b, const char *c) {
  char line[8192];
  int k = snprintf(line, sizeof line, fmt, a, b, c);
  *s = realloc(*s, *n + k + 1);
  memcpy(*s + *n, line, k + 1);
  *n += k;
}

/* The model traced again for one of R ranks (batch B/R), and which of its
 * random draws and state variables hold batch rows. NULL with a message. */
static Host *shard_model(Host *h, const BuildOptions *o, ShardPlan *plan) {
  Host *loc = host_new();
  char set[64], err[1024];
  snprintf(set, sizeof set, "__shards = %d", o->mpi_ranks);
  if (host_run_string(loc, set, "=mpi-ranks") || host_load_model(loc, o->model_path)) {
    fprintf(stderr, "%s\n", loc->error);
    host_free(loc);
    return NULL;
  }
  if (shard_plan(h->g, loc->g, o->mpi_ranks, plan, err, sizeof err)) {
    fprintf(stderr, "%s: cannot split the batch over %d ranks: %s\n", o->model_path, o->mpi_ranks, err);
    shard_free(plan);
    host_free(loc);
    return NULL;
  }
  return loc;
}

/* One trainer per sweep combination (hosts[c]); with --mpi-ranks R, the
 * (single-combination) model is traced again per rank. */
int build_model(Host *const *hosts, int n_combos, const BuildOptions *o) {
  ShardPlan plan = {0};
  Host *shard = NULL;
  if (o->mpi_ranks > 1) {
    if (n_combos > 1) {
      fprintf(stderr, "%s: --mpi-ranks builds one combination; this file sweeps %d\n", o->model_path, n_combos);
      return 2;
    }
    if (!(shard = shard_model(hosts[0], o, &plan))) return 2;
  }
  const char *name = host_model_string(hosts[0], "name");
  char base[256], out_dir[4096], exe[4096], combo_dir[4400], path[4600];
  if (!name) {
    const char *s = strrchr(o->model_path, '/') ? strrchr(o->model_path, '/') + 1 : o->model_path;
    snprintf(base, sizeof base, "%.*s", (int)strcspn(s, "."), s);
    name = base;
  }
  snprintf(out_dir, sizeof out_dir, "%s", o->out_dir ? o->out_dir : "");
  if (!o->out_dir) snprintf(out_dir, sizeof out_dir, "out/%s", name);
  if (!o->out_dir && o->mpi_ranks > 1) snprintf(out_dir, sizeof out_dir, "out/%s-mpi%d", name, o->mpi_ranks);
  ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (el < 0) {
    fprintf(stderr, "ebmforge: cannot locate its own executable\n");
    return 1;
  }
  exe[el] = 0;

  /* generate everything in memory first: a failure writes nothing */
  char *prologue_tpl = read_template("model_prologue.c");
  char *ninja_tpl = prologue_tpl ? read_template("build.ninja.in") : NULL;
  if (!ninja_tpl) {
    free(prologue_tpl);
    return 1;
  }
  /* the CUDA trainers, where nvcc is found; data-parallel ones also need NCCL and Open MPI's link flags */
  char *gencode = gencode_flags(o->cuda_arch ? o->cuda_arch : "80,90"), *rules = NULL;
  if (!gencode) {
    fprintf(stderr, "ebmforge: --cuda-arch '%s' is not a list of architectures such as 80,90\n", o->cuda_arch);
    free(prologue_tpl);
    free(ninja_tpl);
    return 2;
  }
  char *nvcc = o->no_cuda ? NULL : find_nvcc(), *nccl = NULL;
  if (!nvcc && !o->no_cuda)
    fprintf(stderr, "ebmforge: note: nvcc not found (PATH, /usr/local/cuda/bin): building train-cpu only\n");
  char *cu_tpl = nvcc ? read_template("model_prologue.cu") : NULL;
  char *rules_tpl = cu_tpl ? read_template("cuda_rules.ninja.in") : NULL;
  char *dist_tpl = rules_tpl && o->mpi_ranks > 1 ? read_template("cuda_dist.ninja.in") : NULL;
  if (nvcc && (!rules_tpl || (o->mpi_ranks > 1 && !dist_tpl))) return 1;
  if (nvcc && o->mpi_ranks > 1) {
    char nccl_root[4096], nccl_lib[4200];
    int found = !find_nccl(nvcc, nccl_root, sizeof nccl_root, nccl_lib, sizeof nccl_lib);
    char *mpi = found ? mpi_link_flags() : NULL;
    if (mpi) { /* the build.ninja variables nccl_include, nccl_libs and mpi_libs */
      const char *keys[] = {"NCCL_ROOT", "NCCL_LIBDIR", "MPI_LIBS", NULL}, *vals[] = {nccl_root, nccl_lib, mpi, NULL};
      nccl = fill(dist_tpl, keys, vals);
    } else {
      fprintf(stderr, "ebmforge: note: %s: building the CPU MPI trainer only\n",
              found ? "`mpicc --showme:link` gave no link flags (Open MPI)"
                    : "nccl.h and libnccl.so not found (NCCL_HOME, the CUDA toolkit, /usr)");
      free(nvcc);
      nvcc = NULL;
    }
    free(mpi);
  }
  char **combo = calloc(n_combos, sizeof(char *)), **model_c = calloc(n_combos, sizeof(char *));
  char **model_cu = calloc(n_combos, sizeof(char *)), **config = calloc(n_combos, sizeof(char *));
  char(*fp)[17] = calloc(n_combos, sizeof *fp);
  for (int c = 0; c < n_combos; c++) {
    Host *h = shard ? shard : hosts[c];
    const char *method = host_model_string(h, "method");
    char cname[256];
    host_combo_name(hosts[c], cname, sizeof cname);
    combo[c] = strdup(cname);
    emit_fingerprint(h->g, h->prog, fp[c]);
    /* the facts a run records in run.json (run_record.c): model file, combination, version */
    char src_path[4096];
    if (!realpath(o->model_path, src_path)) snprintf(src_path, sizeof src_path, "%s", o->model_path);
    char *src_c = c_escaped(src_path), *combo_c = c_escaped(cname);
    const char *pk[] = {"MODEL", "METHOD", "SOURCE", "FINGERPRINT", "SOURCE_C", "COMBO_C", "VERSION_C", NULL};
    const char *pv[] = {name, method, o->model_path, fp[c], src_c, combo_c, EBM_VERSION, NULL};
    char *prologue = fill(prologue_tpl, pk, pv);
    EmitInfo info = {name,
                     method,
                     prologue,
                     (long)host_model_number(h, "iters", 1000),
                     (int)host_model_number(h, "log_every", 10),
                     shard ? &plan : NULL};
    model_c[c] = emit_c_model(h->g, h->prog, &info);
    if (nvcc) {
      EmitInfo cu_info = info;
      cu_info.prologue = fill(cu_tpl, pk, pv);
      model_cu[c] = emit_cuda_model(h->g, h->prog, &cu_info);
      free((char *)cu_info.prologue);
    }
    free(prologue);
    free(src_c);
    free(combo_c);
    /* the resolved configuration beside the trainer (`ebmforge pack` ships it); a data-parallel
     * trainer's says how many ranks share the batch */
    char *cfg = host_config_json(hosts[c]);
    config[c] = malloc(strlen(cfg ? cfg : "{}") + 64);
    sprintf(config[c], "{\"mpi_ranks\": %d, \"model\": %s}\n", o->mpi_ranks > 1 ? o->mpi_ranks : 1, cfg ? cfg : "{}");
    free(cfg);
  }
  if (nvcc) rules = cuda_rules(rules_tpl, nvcc, gencode, nccl);

  char **rt = NULL, **tr = NULL, *objs = NULL, *trainers = NULL, *rt_list = NULL;
  size_t no = 0, nt = 0, nl = 0;
  int n_rt = list_c(EBM_SOURCE_DIR "/runtime", &rt), n_tr = list_c(EBM_SOURCE_DIR "/runtime/trainer", &tr);
  for (int i = 0; i < n_rt + n_tr; i++) {
    const char *f = i < n_rt ? rt[i] : tr[i - n_rt];
    const char *sub = i < n_rt ? "" : "trainer/";
    char obj[512];
    snprintf(obj, sizeof obj, "rt/%s%.*s.o", sub, (int)strlen(f) - 2, f);
    append(&objs, &no, "build %s: cc " EBM_SOURCE_DIR "/runtime/%s%s\n", obj, sub, f);
    append(&rt_list, &nl, " %s%s%s", obj, "", "");
  }
  /* how the ranks of a data-parallel run talk: MPI, or the single-process stub */
  const char *dist = o->mpi_ranks > 1 ? "dist_mpi" : "dist_single";
  append(&objs, &no, "build rt/%s.o: cc " EBM_SOURCE_DIR "/runtime/dist/%s.c\n", dist, dist, "");
  append(&rt_list, &nl, " rt/%s.o%s%s", dist, "", "");
  if (nvcc)
    append(&objs, &no, "build rt/cuda/cuda_rt.o: nvcc " EBM_SOURCE_DIR "/runtime/cuda/cuda_rt.cu\n", "", "", "");
  /* a data-parallel train-cuda: the GPUs' all-reduce over NCCL */
  if (nccl)
    append(&objs, &no, "build rt/cuda/cuda_nccl.o: nvcc " EBM_SOURCE_DIR "/runtime/cuda/cuda_nccl.cu\n", "", "", "");
  /* one trainer per combination; Ninja builds them in parallel */
  char *cpu_all = NULL, *cuda_all = NULL;
  size_t n_cpu = 0, n_cuda = 0;
  for (int c = 0; c < n_combos; c++) {
    append(&trainers, &nt, "build %s/model.o: cc %s/model.c\n", combo[c], combo[c], "");
    append(&trainers, &nt, "build %s/train-cpu: link %s/model.o%s\n", combo[c], combo[c], rt_list);
    append(&cpu_all, &n_cpu, " %s/train-cpu%s%s", combo[c], "", "");
    if (!nvcc) continue;
    append(&trainers, &nt, "build %s/model_cuda.o: nvcc %s/model.cu\n", combo[c], combo[c], "");
    append(&trainers, &nt, "build %s/train-cuda: nvlink %s/model_cuda.o rt/cuda/cuda_rt.o%s", combo[c], combo[c],
           nccl ? " rt/cuda/cuda_nccl.o" : "");
    append(&trainers, &nt, "%s\n", rt_list, "", "");
    append(&cuda_all, &n_cuda, " %s/train-cuda%s%s", combo[c], "", "");
  }
  append(&trainers, &nt, "build train-cpu: phony%s\n", cpu_all, "", "");
  if (cuda_all) append(&trainers, &nt, "build train-cuda: phony%s\n", cuda_all, "", "");
  free(cpu_all);
  free(cuda_all);
  char regen[4096] = "";
  if (o->cflags) snprintf(regen, sizeof regen, "--cflags '%s'", o->cflags);
  if (o->cc) snprintf(regen + strlen(regen), sizeof regen - strlen(regen), " --cc '%s'", o->cc);
  if (o->ldflags) snprintf(regen + strlen(regen), sizeof regen - strlen(regen), " --ldflags '%s'", o->ldflags);
  if (o->mpi_ranks > 1) snprintf(regen + strlen(regen), sizeof regen - strlen(regen), " --mpi-ranks %d", o->mpi_ranks);
  if (o->cuda_arch) snprintf(regen + strlen(regen), sizeof regen - strlen(regen), " --cuda-arch %s", o->cuda_arch);
  if (o->no_cuda) snprintf(regen + strlen(regen), sizeof regen - strlen(regen), " --no-cuda");
  const char *nk[] = {"SOURCE",        "OUTDIR",   "CC",          "CFLAGS",     "RUNTIME_INCLUDES",
                      "CBLAS_INCLUDE", "EBMFORGE", "REGEN_FLAGS", "CUDA_RULES", "RUNTIME_OBJECTS",
                      "TRAINERS",      "LIBS",     "LDFLAGS",     NULL};
  char src_abs[4096];
  if (!realpath(o->model_path, src_abs)) snprintf(src_abs, sizeof src_abs, "%s", o->model_path);

  int rc = 0;
  /* Ninja runs the regeneration inside out_dir: the command needs absolute paths */
  char out_abs[4096];
  if (mkdir_p(out_dir) || !realpath(out_dir, out_abs)) {
    fprintf(stderr, "ebmforge: cannot create %s: %s\n", out_dir, strerror(errno));
    rc = 1;
  }
  char *ninja = NULL;
  if (!rc) {
    const char *cc = o->cc ? o->cc : o->mpi_ranks > 1 ? "mpicc" : "cc";
    const char *nv[] = {
        src_abs,
        out_abs,
        cc,
        o->cflags ? o->cflags : "-O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math",
        RUNTIME_INCLUDES,
        EBM_CBLAS_INCLUDE,
        exe,
        regen,
        rules ? rules : "",
        objs,
        trainers,
        EBM_TRAINER_LIBS,
        o->ldflags ? o->ldflags : "",
        NULL};
    ninja = fill(ninja_tpl, nk, nv);
  }
  for (int c = 0; c < n_combos && !rc; c++) {
    snprintf(combo_dir, sizeof combo_dir, "%s/%s", out_dir, combo[c]);
    if (mkdir_p(combo_dir)) {
      fprintf(stderr, "ebmforge: cannot create %s: %s\n", combo_dir, strerror(errno));
      rc = 1;
    }
    snprintf(path, sizeof path, "%s/model.c", combo_dir);
    if (!rc) rc = write_if_changed(path, model_c[c], 0) ? 1 : 0;
    snprintf(path, sizeof path, "%s/model.cu", combo_dir);
    if (!rc && model_cu[c]) rc = write_if_changed(path, model_cu[c], 0) ? 1 : 0;
    snprintf(path, sizeof path, "%s/config.json", combo_dir);
    if (!rc) rc = write_if_changed(path, config[c], 0) ? 1 : 0;
  }
  snprintf(path, sizeof path, "%s/build.ninja", out_dir);
  if (!rc) rc = write_if_changed(path, ninja, 1) ? 1 : 0;
  if (!rc) {
    for (int c = 0; c < n_combos; c++) fprintf(stderr, "ebmforge: %s/%s (fingerprint %s)\n", out_dir, combo[c], fp[c]);
    fprintf(stderr, "ebmforge: wrote %s/build.ninja (%d trainer%s); build with: ninja -C %s\n", out_dir, n_combos,
            n_combos == 1 ? "" : "s", out_dir);
  }
  for (int i = 0; i < n_rt; i++) free(rt[i]);
  for (int i = 0; i < n_tr; i++) free(tr[i]);
  for (int c = 0; c < n_combos; c++) {
    free(combo[c]);
    free(model_c[c]);
    free(model_cu[c]);
    free(config[c]);
  }
  free(combo);
  free(model_c);
  free(model_cu);
  free(config);
  free(fp);
  free(rt);
  free(tr);
  free(objs);
  free(trainers);
  free(rt_list);
  free(prologue_tpl);
  free(ninja_tpl);
  free(ninja);
  free(nvcc);
  free(nccl);
  free(gencode);
  free(cu_tpl);
  free(rules);
  free(rules_tpl);
  free(dist_tpl);
  if (shard) {
    shard_free(&plan);
    host_free(shard);
  }
  return rc;
}
