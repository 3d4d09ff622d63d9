/* `ebmforge study FILE.lua`: builds the trainers a study file names (one
 * build per model file, so per structure: seeds and run-time parameters
 * never rebuild), then runs every run of the study as its own process, N at
 * a time, each resumable (study_run.c), and writes the report (report_cmd.c). */
#define _GNU_SOURCE
#include "study_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "host.h"
#include "mono_clock.h"
#include "report_cmd.h"
#include "study_file.h"
#include "study_run.h"

static const char *about =
    "Runs the study FILE declares (docs/studies.md): every model (file or sweep\n"
    "combination) on every data set, for every seed and every element of the\n"
    "parameter grid, trained in stages (the budgets: ascending iteration counts of\n"
    "one run, each stage resuming the last) and scored after each stage: samples,\n"
    "energy grid, eval JSON and the verdicts (diverged, collapsed, unfit).\n"
    "Missing trainers are built first, once per model file (`ebmforge build` and\n"
    "ninja); parameter values are passed as `train --set NAME=VALUE`. Each run is a\n"
    "process of its own in DIR/<data>/<method>[/<params>]/seed<k>/. Stopped at any\n"
    "moment (even SIGKILL) and started again, the study skips finished stages,\n"
    "resumes the others from their checkpoints and ends with the same files, byte\n"
    "for byte. At the end, `ebmforge report DIR`.\n";

typedef struct {
  char *label;      /* run-directory name */
  char *model_path; /* from the working directory */
  char *build_dir;  /* BUILD/<model name> */
  char *trainer;    /* build_dir/<combination>/train-cpu */
  char *target;     /* <combination>/train-cpu, for ninja */
  const StudyModel *m;
} Method;

/* Every method the entry names (its combination, or each of the file's). 0 or 2. */
static int add_methods(const Study *s, const StudyModel *m, const char *build_root, Method **ms, int *n) {
  char *path = study_path(s, m->file);
  if (access(path, R_OK)) { /* the sandboxed front end cannot look at files: said here */
    fprintf(stderr, "%s: study.models[%d]: cannot open '%s' (paths are relative to the study file): %s\n", s->path,
            (int)(m - s->models) + 1, path, strerror(errno));
    free(path);
    return 2;
  }
  int found = 0, total = 1;
  for (int c = 0; c < total; c++) {
    Host *h = host_new();
    if (host_load_model_combo(h, path, c)) {
      fprintf(stderr, "%s%s\n", strncmp(h->error, "cannot open", 11) ? "" : "ebmforge study: ", h->error);
      host_free(h);
      free(path);
      return 2;
    }
    total = host_sweep_size(h);
    char combo[256], name[256];
    host_combo_name(h, combo, sizeof combo);
    const char *nm = host_model_string(h, "name");
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(name, sizeof name, "%.*s", nm ? (int)strlen(nm) : (int)strcspn(base, "."), nm ? nm : base);
    host_free(h);
    if (m->combo && strcmp(m->combo, combo)) continue;
    *ms = realloc(*ms, (*n + 1) * sizeof **ms);
    Method *x = &(*ms)[(*n)++];
    char buf[4600];
    x->m = m;
    x->model_path = strdup(path);
    if (m->label && (m->combo || total == 1))
      x->label = strdup(m->label);
    else if (m->label) {
      snprintf(buf, sizeof buf, "%s-%s", m->label, combo);
      x->label = strdup(buf);
    } else
      x->label = strdup(combo);
    snprintf(buf, sizeof buf, "%s/%s", build_root, name);
    x->build_dir = strdup(buf);
    snprintf(buf, sizeof buf, "%s/%s/train-cpu", x->build_dir, combo);
    x->trainer = strdup(buf);
    snprintf(buf, sizeof buf, "%s/train-cpu", combo);
    x->target = strdup(buf);
    found++;
  }
  if (!found)
    fprintf(stderr, "%s: model file %s has no sweep combination '%s' (see `ebmforge check %s`)\n", s->path, path,
            m->combo, path);
  free(path);
  return found ? 0 : 2;
}

/* Builds each model file's trainers once: `ebmforge build` then ninja. */
static int build_all(Method *ms, int n, int jobs, const char *log) {
  char self[4096];
  ssize_t el = readlink("/proc/self/exe", self, sizeof self - 1);
  if (el < 0) {
    fprintf(stderr, "ebmforge study: cannot locate its own executable\n");
    return 1;
  }
  self[el] = 0;
  for (int i = 0; i < n; i++) {
    int first = 1;
    for (int k = 0; k < i; k++) first &= strcmp(ms[k].model_path, ms[i].model_path) != 0;
    if (!first) continue;
    char js[32];
    snprintf(js, sizeof js, "%d", jobs);
    char *gen[] = {self, "build", ms[i].model_path, "-o", ms[i].build_dir, "--no-cuda", NULL};
    char **ninja = calloc(n + 6, sizeof(char *));
    int k = 0;
    ninja[k++] = "ninja";
    ninja[k++] = "-C";
    ninja[k++] = ms[i].build_dir;
    ninja[k++] = "-j";
    ninja[k++] = js;
    for (int t = i; t < n; t++)
      if (!strcmp(ms[t].model_path, ms[i].model_path)) ninja[k++] = ms[t].target;
    fprintf(stderr, "ebmforge study: building %s in %s\n", ms[i].model_path, ms[i].build_dir);
    int rc = study_spawn(gen, NULL, log);
    if (!rc) rc = study_spawn(ninja, NULL, log);
    free(ninja);
    if (rc) {
      fprintf(stderr, "ebmforge study: building %s failed (exit %d): see %s\n", ms[i].model_path, rc, log);
      return 1;
    }
  }
  return 0;
}

/* whether `trainer train --help` mentions --set (run-time parameters) */
static int takes_set(const char *trainer, const char *tmp) {
  char *argv[] = {(char *)trainer, "train", "--help", NULL};
  if (study_spawn(argv, tmp, "/dev/null")) return 0;
  FILE *f = fopen(tmp, "r");
  char line[1024];
  int yes = 0;
  while (f && fgets(line, sizeof line, f)) yes |= strstr(line, "--set") != NULL;
  if (f) fclose(f);
  unlink(tmp);
  return yes;
}

/* The runs, in the order they start: seeds outermost, so every method gets its first seed early. */
static StudyRun *plan_runs(const Study *s, Method *ms, int n_ms, const char *out, int *n_runs) {
  StudyRun *runs = NULL;
  int n = 0;
  for (int si = 0; si < s->n_seeds; si++)
    for (int d = 0; d < s->n_data; d++)
      for (int mi = 0; mi < n_ms; mi++) {
        const StudyModel *m = ms[mi].m;
        int combos = 1;
        for (int p = 0; p < m->n_params; p++) combos *= m->params[p].n;
        for (int c = 0; c < combos; c++) {
          runs = realloc(runs, (n + 1) * sizeof *runs);
          StudyRun *r = &runs[n++];
          memset(r, 0, sizeof *r);
          char params[2048] = "", dir[8192];
          r->set = calloc(m->n_params + 1, sizeof(char *));
          for (int p = 0, rest = c; p < m->n_params; p++) {
            const StudyParam *sp = &m->params[p];
            const char *v = sp->values[rest % sp->n];
            rest /= sp->n;
            r->set[r->n_set] = malloc(strlen(sp->name) + strlen(v) + 2);
            sprintf(r->set[r->n_set++], "%s=%s", sp->name, v);
            snprintf(params + strlen(params), sizeof params - strlen(params), "%s%s=%s", p ? "," : "", sp->name, v);
          }
          snprintf(dir, sizeof dir, "%s/%s/%s%s%s/seed%ld", out, s->data[d].name, ms[mi].label, *params ? "/" : "",
                   params, s->seeds[si]);
          r->dir = strdup(dir);
          r->trainer = ms[mi].trainer;
          r->data = s->data[d].file ? study_path(s, s->data[d].spec) : strdup(s->data[d].spec);
          r->data_name = s->data[d].name;
          r->method = ms[mi].label;
          r->params = strdup(params);
          r->seed = s->seeds[si];
          r->budgets = m->budgets;
          r->n_budgets = m->n_budgets;
          r->samples = s->samples;
          r->ckpt_every = s->ckpt_every;
          r->log_every = s->log_every;
        }
      }
  *n_runs = n;
  return runs;
}

static void free_runs(StudyRun *runs, int n) {
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < runs[i].n_set; k++) free(runs[i].set[k]);
    free(runs[i].set);
    free((char *)runs[i].dir);
    free((char *)runs[i].data);
    free((char *)runs[i].params);
  }
  free(runs);
}

/* Runs every run, `jobs` worker processes at a time; the number that failed. */
static int run_all(StudyRun *runs, int n, int jobs) {
  pid_t *pid = calloc(n, sizeof *pid);
  int next = 0, active = 0, failed = 0, done = 0;
  pid_t self = getpid();
  while (next < n || active) {
    while (active < jobs && next < n) {
      fflush(NULL);
      pid_t p = fork();
      if (p < 0) {
        fprintf(stderr, "ebmforge study: fork: %s\n", strerror(errno));
        break;
      }
      if (p == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* killed with the study */
        if (getppid() != self) _exit(1);
        _exit(study_run(&runs[next]));
      }
      pid[next++] = p;
      active++;
    }
    int st;
    pid_t p = wait(&st);
    if (p < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < next; i++)
      if (pid[i] == p) {
        int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        failed += !ok;
        fprintf(stderr, "ebmforge study: [%d/%d] %s %s\n", ++done, n, runs[i].dir, ok ? "finished" : "FAILED");
        active--;
      }
  }
  free(pid);
  return failed + (n - done);
}

int cmd_study(int argc, char **argv) {
  const char *file = NULL, *out = NULL, *build_root = "out";
  int list_only = 0;
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;
  const CliOpt opts[] = {
      ARG_STRING("FILE.lua", &file, "the study file (docs/studies.md)", .required = 1),
      OPT_LONG("-j", &jobs, "N", 1, 1024, "runs at a time", .dflt = "the number of cores"),
      OPT_STRING("--out", &out, "DIR", "the study's directory", .dflt = "out/study/<study name>"),
      OPT_STRING("--build-dir", &build_root, "DIR",
                 "where trainers are built, DIR/<model name> per model file (as `ebmforge build` does)"),
      OPT_FLAG("--list", &list_only,
               "check the file and its models, print the runs and their budgets, build and train nothing"),
      OPT_END,
  };
  const CliCommand cmd = {"study", about, opts,
                          "exit codes: 0 every run finished, 1 a run or build failed (start again to\n"
                          "retry), 2 bad study file or arguments\n"};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  Study s;
  if (study_load(file, &s)) return 2;
  Method *ms = NULL;
  int n_ms = 0, rc = 0;
  for (int i = 0; i < s.n_models && !rc; i++) rc = add_methods(&s, &s.models[i], build_root, &ms, &n_ms);
  for (int i = 0; i < n_ms && !rc; i++)
    for (int k = 0; k < i && !rc; k++)
      if (!strcmp(ms[i].label, ms[k].label)) {
        fprintf(stderr, "%s: two models run as '%s': give one a label (models = {{file = ..., label = ...}})\n", file,
                ms[i].label);
        rc = 2;
      }
  for (int i = 0; i < n_ms && !rc; i++) /* one build directory, one model file */
    for (int k = 0; k < i && !rc; k++)
      if (!strcmp(ms[i].build_dir, ms[k].build_dir) && strcmp(ms[i].model_path, ms[k].model_path)) {
        fprintf(stderr, "%s: %s and %s would both build in %s: give one model another name\n", file, ms[k].model_path,
                ms[i].model_path, ms[i].build_dir);
        rc = 2;
      }
  for (int d = 0; d < s.n_data && !rc; d++)
    if (s.data[d].file) {
      char *p = study_path(&s, s.data[d].spec);
      if (access(p, R_OK)) {
        fprintf(stderr, "%s: study.data[%d]: cannot open '%s' (paths are relative to the study file): %s\n", file,
                d + 1, p, strerror(errno));
        rc = 2;
      }
      free(p);
    }
  char dflt[1024], log[1200], lock[1200];
  if (!out) {
    snprintf(dflt, sizeof dflt, "out/study/%s", s.name);
    out = dflt;
  }
  if (!rc && list_only) {
    int n_runs = 0;
    StudyRun *runs = plan_runs(&s, ms, n_ms, out, &n_runs);
    long stages = 0;
    for (int i = 0; i < n_runs; i++) {
      printf("%s %s", runs[i].dir, runs[i].trainer);
      for (int b = 0; b < runs[i].n_budgets; b++) printf("%s%ld", b ? "," : " ", runs[i].budgets[b]);
      printf("\n");
      stages += runs[i].n_budgets;
    }
    fprintf(stderr, "ebmforge study: %d runs, %ld stages, %d trainers\n", n_runs, stages, n_ms);
    free_runs(runs, n_runs);
    rc = -1; /* done: nothing more to do, exit 0 */
  }
  int lock_fd = -1;
  if (!rc && mkdir_p(out)) {
    fprintf(stderr, "ebmforge study: cannot create %s: %s\n", out, strerror(errno));
    rc = 1;
  }
  if (!rc) { /* two studies in one directory would train the same runs at once */
    snprintf(lock, sizeof lock, "%s/.study.lock", out);
    lock_fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); /* not held by the trainers */
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB)) {
      fprintf(stderr, "ebmforge study: another study is running in %s\n", out);
      rc = 1;
    }
  }
  snprintf(log, sizeof log, "%s/build.log", out);
  double t0 = mono_seconds();
  if (!rc) rc = build_all(ms, n_ms, (int)jobs, log);
  for (int i = 0; i < n_ms && !rc; i++) {
    int grid = ms[i].m->n_params > 0;
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/.help.txt", out);
    if (grid && !takes_set(ms[i].trainer, tmp)) {
      fprintf(
          stderr,
          "%s: %s has a parameter grid, but its trainer %s takes no `train --set NAME=VALUE` (run-time parameters)\n",
          file, ms[i].label, ms[i].trainer);
      rc = 2;
    }
  }
  int n_runs = 0;
  StudyRun *runs = rc ? NULL : plan_runs(&s, ms, n_ms, out, &n_runs);
  if (!rc) {
    fprintf(
        stderr,
        "ebmforge study: %d runs (%d data sets x %d methods x %d seeds, with parameter grids), %ld at a time, in %s\n",
        n_runs, s.n_data, n_ms, s.n_seeds, jobs, out);
    int failed = run_all(runs, n_runs, (int)jobs);
    fprintf(stderr, "ebmforge study: %d of %d runs finished in %.1f s%s\n", n_runs - failed, n_runs,
            mono_seconds() - t0, failed ? "; start the study again to retry the others" : "");
    rc = failed ? 1 : 0;
    if (report_write(out)) rc = 1;
  }
  free_runs(runs, n_runs);
  for (int i = 0; i < n_ms; i++) {
    free(ms[i].label);
    free(ms[i].model_path);
    free(ms[i].build_dir);
    free(ms[i].trainer);
    free(ms[i].target);
  }
  free(ms);
  if (lock_fd >= 0) close(lock_fd);
  study_free(&s);
  return rc < 0 ? 0 : rc;
}
