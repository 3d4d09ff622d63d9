/* ebmforge: the command-line front of the compiler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_core.h"
#include "build_cmd.h"
#include "doc_cmd.h"
#include "ebm_version.h"
#include "host.h"
#include "overview_cmd.h"
#include "pack_cmd.h"
#include "plot_cmd.h"
#include "report_cmd.h"
#include "run.h"
#include "study_cmd.h"

static const char *usage_main =
    "usage: ebmforge <command> [options]\n"
    "\n"
    "Compiles energy-based-model trainers described in Lua.\n"
    "\n"
    "commands:\n"
    "  build MODEL.lua generate C trainers and their build.ninja under out/<model>\n"
    "  run MODEL.lua   train in the reference interpreter, write DIR/log.jsonl\n"
    "  ir MODEL.lua    print the step program and its IR\n"
    "  check MODEL.lua load a model, report errors or a one-line summary\n"
    "  pack DIR        a built trainer (out/<model>/<combination>) as a self-contained tarball\n"
    "  doc             the model-file language reference (docs/dsl.md)\n"
    "  plot RUN_DIR    a run's density, log-density, samples and loss curves (PNG, PDF, SVG)\n"
    "  overview DIR... toy runs' densities and samples side by side in one figure\n"
    "  study FILE.lua  methods x data sets x seeds x budgets, trained, scored and tabled\n"
    "  report DIR      a study's tables (Markdown, CSV, JSON) and figures\n"
    "\n"
    "`ebmforge <command> --help` describes each command; `ebmforge --version` prints\n"
    "the version (git describe) that trainers record in run.json; `ebmforge --blas-core`\n"
    "the OpenBLAS kernels (core) it and the trainers run (docs/performance.md). Errors\n"
    "in a model file are reported as path:line: message with exit code 2.\n";

static const char *usage_run =
    "usage: ebmforge run MODEL.lua [--iters N] [--seed S] [--out DIR] [--data X.npy] [--log-every K] [--f64] [--combo "
    "NAME]\n"
    "                    [--set NAME=VALUE]... [--config FILE.json]\n"
    "\n"
    "Trains MODEL in the reference interpreter (slow, exact; the oracle for the\n"
    "compiled trainers) and writes one JSON object per logged step to DIR/log.jsonl.\n"
    "\n"
    "  --iters N      training iterations (default: the model's `iters`)\n"
    "  --seed S       Philox seed (default 0); the same seed gives the same log\n"
    "  --out DIR      output directory (default out/run/<model name>)\n"
    "  --data X.npy   train on a float32 or float64 [N, D] array instead of the model's data\n"
    "                 set (one row in 10 held out, as the trainers do; docs/runs.md)\n"
    "  --log-every K  log every K iterations (default: the model's `log_every`)\n"
    "  --f64          compute in double precision instead of float\n"
    "  --combo NAME   the sweep combination to train (default: the first), e.g. bb-mi-gp-width64\n"
    "  --set NAME=VALUE  a run-time parameter (`ebmforge ir MODEL.lua --program` lists them), as\n"
    "                 `train --set` sets it in a compiled trainer; repeatable\n"
    "  --config FILE  run-time parameters from a JSON object {\"NAME\": VALUE, ...} (--set wins)\n"
    "\n"
    "exit codes: 0 done, 1 I/O error, 2 bad model or arguments, 3 a loss became NaN/Inf\n";

static const char *usage_ir =
    "usage: ebmforge ir MODEL.lua [--program]\n"
    "\n"
    "Prints the step program (optimisers, phases, loops, assignments, logs) and,\n"
    "unless --program is given, the IR each phase evaluates: one SSA node a line,\n"
    "%id = OP inputs attributes : dtype[shape] ; model-file line.\n";

static const char *usage_build =
    "usage: ebmforge build MODEL.lua [-o DIR] [--cflags FLAGS] [--ldflags FLAGS] [--cc CC] [--mpi-ranks R] "
    "[--cuda-arch LIST] [--no-cuda]\n"
    "\n"
    "Generates one C trainer per combination of MODEL, as DIR/<combination>/model.c,\n"
    "and DIR/build.ninja (DIR defaults to out/<model name>). Then `ninja -C DIR`\n"
    "builds DIR/<combination>/train-cpu; it reruns this command when MODEL changes\n"
    "and rebuilds only what changed. A combination is named after its method;\n"
    "a file declaring sweep{axis = {...}, ...} gets one trainer per element of the\n"
    "product of its lists, named <method>-<axis><value>... (e.g. bb-sv-gp-width64).\n"
    "\n"
    "  -o DIR         output directory\n"
    "  --cflags FLAGS compiler flags (default -O3 -march=native -ffp-contract=off -fno-math-errno\n"
    "                 -fno-trapping-math: no fused multiply-add, so trainers round as the\n"
    "                 interpreter does; the other two change no value but let loops with\n"
    "                 sqrt or select vectorise). They are passed to the link too, so\n"
    "                 --cflags '-O1 -g -fsanitize=address,undefined' builds a sanitized trainer\n"
    "  --ldflags FLAGS extra link flags, after the objects (e.g. -Wl,-Map=map.txt)\n"
    "  --cc CC        C compiler (default cc; mpicc with --mpi-ranks)\n"
    "  --mpi-ranks R  a data-parallel trainer for R MPI ranks (R >= 2), each training on\n"
    "                 batch/R rows of the same global batch; links Open MPI. DIR defaults\n"
    "                 to out/<model name>-mpi<R>; launch with mpirun -np R or srun -n R.\n"
    "                 Where nvcc and NCCL (nccl.h, libnccl.so under $NCCL_HOME, the CUDA\n"
    "                 toolkit or /usr) are found, also train-cuda: one rank per GPU, NCCL\n"
    "                 all-reduce\n"
    "  --cuda-arch L  GPU architectures of train-cuda, comma-separated (default 80,90:\n"
    "                 sm_80 and sm_90). Where nvcc is found (PATH, /usr/local/cuda/bin),\n"
    "                 DIR/<combination>/model.cu and a train-cuda target are written too;\n"
    "                 `ninja -C DIR train-cpu` or `train-cuda` builds one kind only\n"
    "  --no-cuda      no CUDA trainers even where nvcc is found\n";

static const char *usage_check =
    "usage: ebmforge check MODEL.lua\n"
    "\n"
    "Loads MODEL and prints a summary (method, data, parameters, nodes, phases),\n"
    "one line per sweep combination, or the first error as path:line: message\n"
    "with exit code 2. Model files run sandboxed (no files, commands or bytecode;\n"
    "memory, instruction and time limits): see docs/model_files.md.\n";

static const char *usage_pack =
    "usage: ebmforge pack out/<model>/<combination> [-o FILE.tar.gz]\n"
    "\n"
    "Packs the combination's built trainer binaries (train-*) into FILE (default\n"
    "<model dir>-<combination>.tar.gz) under one folder, with run.sh, config.json (the\n"
    "resolved model) and manifest.json: fingerprint, variables and their shapes,\n"
    "parameter count, compiler and flags, CUDA architectures, and every shared\n"
    "library `ldd` lists for each binary with its Debian package and version.\n"
    "Trainers need neither Lua, the generator nor the source tree; OpenBLAS, libpng\n"
    "and zlib are linked statically where their archives are installed.\n";

static int wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
  return 0;
}

static int bad_usage(const char *msg, const char *usage) {
  fprintf(stderr, "ebmforge: %s\n\n%s", msg, usage);
  return 2;
}

static Host *load_combo(const char *path, int index) {
  Host *h = host_new();
  if (host_load_model_combo(h, path, index)) {
    /* Lua's own message for an unreadable file has no position: say who speaks */
    fprintf(stderr, "%s%s\n", strncmp(h->error, "cannot open", 11) ? "" : "ebmforge: ", h->error);
    host_free(h);
    return NULL;
  }
  return h;
}

/* The first combination of a file; the others are loaded too, so an error in
 * any combination of a sweep is reported whatever the command. */
static Host *load_named(const char *path, const char *combo) {
  Host *h = load_combo(path, 0);
  int n = h ? host_sweep_size(h) : 1, pick = -1;
  char name[256];
  if (h && combo) {
    host_combo_name(h, name, sizeof name);
    if (!strcmp(name, combo)) pick = 0;
  }
  if (!h || (n == 1 && !combo)) return h;
  host_free(h);
  for (int c = 1; c < n; c++) {
    Host *o = load_combo(path, c);
    if (!o) return NULL;
    if (combo) {
      host_combo_name(o, name, sizeof name);
      if (!strcmp(name, combo)) pick = c;
    }
    host_free(o);
  }
  if (combo && pick < 0) {
    fprintf(stderr, "ebmforge: %s has no sweep combination '%s' (see `ebmforge check %s`)\n", path, combo, path);
    return NULL;
  }
  return load_combo(path, pick < 0 ? 0 : pick); /* loaded last: the live host */
}

static Host *load(const char *path) { return load_named(path, NULL); }

static long long count_params(const Graph *g) {
  long long n = 0; /* 64-bit: the total of many tensors, each within int */
  for (int v = 0; v < g->n_vars; v++)
    if (g->vars[v].kind == VAR_PARAM) n += shape_numel64(g->vars[v].shape);
  return n;
}

static int cmd_check(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(usage_check, stdout);
    return 0;
  }
  if (argc != 1) return bad_usage("check takes one model file", usage_check);
  /* every sweep combination: an error in any of them is an error of the file (and nothing is printed) */
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  for (int c = 0, n = 1; c < n; c++) {
    Host *h = load_combo(argv[0], c);
    if (!h) {
      fclose(f);
      free(out);
      return 2;
    }
    n = host_sweep_size(h);
    int phases = 0;
    for (int i = 0; i < h->prog->n_items; i++) phases += h->prog->items[i].kind == ITEM_PHASE;
    char combo[256] = "";
    if (n > 1) host_combo_name(h, combo, sizeof combo);
    fprintf(f, "%s%s%s: method %s, data %s, %lld parameters, %d nodes, %d phases\n", argv[0], n > 1 ? " " : "", combo,
            host_model_string(h, "method"), h->g->data_name, count_params(h->g), h->g->n_nodes, phases);
    host_free(h);
  }
  fclose(f);
  fputs(out, stdout);
  free(out);
  return 0;
}

static int cmd_ir(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(usage_ir, stdout);
    return 0;
  }
  const char *path = NULL;
  int program_only = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--program"))
      program_only = 1;
    else if (argv[i][0] == '-')
      return bad_usage("unknown option for ir", usage_ir);
    else if (!path)
      path = argv[i];
    else
      return bad_usage("ir takes one model file", usage_ir);
  }
  if (!path) return bad_usage("ir needs a model file", usage_ir);
  Host *h = load(path);
  if (!h) return 2;
  printf("; %s: %d nodes, %d variables, %lld parameters\n", path, h->g->n_nodes, h->g->n_vars, count_params(h->g));
  for (int v = 0; v < h->g->n_vars; v++) {
    static const char *kinds[] = {"param", "buffer", "state"};
    char s[64];
    shape_str(h->g->vars[v].shape, s, sizeof s);
    printf("%s %s : f32%s\n", kinds[h->g->vars[v].kind], h->g->vars[v].name, s);
  }
  for (int k = 0; k < h->g->n_hparams; k++)
    printf("hparam $%s = %.9g  ; %s\n", h->g->hparams[k].name, h->g->hparams[k].dflt, h->g->hparams[k].desc);
  program_dump(h->g, h->prog, stdout, !program_only);
  host_free(h);
  return 0;
}

static int parse_long(const char *s, long *out);

static int cmd_pack(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(usage_pack, stdout);
    return 0;
  }
  const char *dir = NULL, *out = NULL;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      out = argv[++i];
    else if (argv[i][0] == '-')
      return bad_usage("unknown or incomplete option for pack", usage_pack);
    else if (!dir)
      dir = argv[i];
    else
      return bad_usage("pack takes one directory", usage_pack);
  }
  if (!dir) return bad_usage("pack needs a directory out/<model>/<combination>", usage_pack);
  return pack_trainers(dir, out);
}

static int cmd_build(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(usage_build, stdout);
    return 0;
  }
  BuildOptions o = {0};
  for (int i = 0; i < argc; i++) {
    int has = i + 1 < argc;
    if (!strcmp(argv[i], "-o") && has)
      o.out_dir = argv[++i];
    else if (!strcmp(argv[i], "--cflags") && has)
      o.cflags = argv[++i];
    else if (!strcmp(argv[i], "--cc") && has)
      o.cc = argv[++i];
    else if (!strcmp(argv[i], "--ldflags") && has)
      o.ldflags = argv[++i];
    else if (!strcmp(argv[i], "--mpi-ranks") && has) {
      long r;
      if (parse_long(argv[++i], &r) || r < 2 || r > 4096)
        return bad_usage("--mpi-ranks needs an integer in 2..4096", usage_build);
      o.mpi_ranks = (int)r;
    } else if (!strcmp(argv[i], "--cuda-arch") && has)
      o.cuda_arch = argv[++i];
    else if (!strcmp(argv[i], "--no-cuda"))
      o.no_cuda = 1;
    else if (argv[i][0] == '-')
      return bad_usage("unknown or incomplete option for build", usage_build);
    else if (!o.model_path)
      o.model_path = argv[i];
    else
      return bad_usage("build takes one model file", usage_build);
  }
  if (!o.model_path) return bad_usage("build needs a model file", usage_build);
  /* load every sweep combination before writing anything */
  Host **hosts = NULL;
  int n = 1, rc = 0;
  for (int c = 0; c < n; c++) {
    Host *h = load_combo(o.model_path, c);
    if (!h) {
      rc = 2;
      n = c;
      break;
    }
    if (c == 0) {
      n = host_sweep_size(h);
      hosts = calloc(n, sizeof(Host *));
    }
    hosts[c] = h;
  }
  if (!rc) rc = build_model(hosts, n, &o);
  for (int c = 0; c < n; c++) host_free(hosts[c]);
  free(hosts);
  return rc;
}

static int parse_long(const char *s, long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end) return -1;
  *out = v;
  return 0;
}

static int cmd_run(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    fputs(usage_run, stdout);
    return 0;
  }
  const char *path = NULL, *out = NULL, *data = NULL, *combo = NULL, *config = NULL;
  const char **sets = calloc(argc + 1, sizeof(char *));
  int n_sets = 0;
  long iters = -1, seed = 0, log_every = -1;
  int f64 = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int has = i + 1 < argc;
    if (!strcmp(a, "--f64"))
      f64 = 1;
    else if (!strcmp(a, "--iters") && has) {
      if (parse_long(argv[++i], &iters) || iters < 1 || iters > 1000000000)
        return bad_usage("--iters needs an integer in [1, 1000000000]", usage_run);
    } else if (!strcmp(a, "--seed") && has) {
      if (parse_long(argv[++i], &seed) || seed < 0) return bad_usage("--seed needs a non-negative integer", usage_run);
    } else if (!strcmp(a, "--log-every") && has) {
      if (parse_long(argv[++i], &log_every) || log_every < 1 || log_every > 1000000000)
        return bad_usage("--log-every needs an integer in [1, 1000000000]", usage_run);
    } else if (!strcmp(a, "--out") && has)
      out = argv[++i];
    else if (!strcmp(a, "--data") && has)
      data = argv[++i];
    else if (!strcmp(a, "--combo") && has)
      combo = argv[++i];
    else if (!strcmp(a, "--set") && has)
      sets[n_sets++] = argv[++i];
    else if (!strcmp(a, "--config") && has)
      config = argv[++i];
    else if (a[0] == '-') {
      char m[256];
      snprintf(m, sizeof m, "unknown or incomplete option '%s'", a);
      return bad_usage(m, usage_run);
    } else if (!path)
      path = a;
    else
      return bad_usage("run takes one model file", usage_run);
  }
  if (!path) return bad_usage("run needs a model file", usage_run);
  Host *h = load_named(path, combo);
  if (!h) return 2;
  char dflt[1024];
  if (!out) {
    const char *name = host_model_string(h, "name");
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(dflt, sizeof dflt, "out/run/%.*s", name ? (int)strlen(name) : (int)(strcspn(base, ".")),
             name ? name : base);
    out = dflt;
  }
  RunOptions o = {
      .iters = iters > 0 ? iters : (long)host_model_number(h, "iters", 1000),
      .seed = (uint64_t)seed,
      .out_dir = out,
      .log_every = (int)(log_every > 0 ? log_every : host_model_number(h, "log_every", 10)),
      .f64 = f64,
      .data = data,
      .sets = sets,
      .n_sets = n_sets,
      .config = config,
  };
  int rc = run_model(h, &o);
  free(sets);
  if (!rc) fprintf(stderr, "ebmforge: wrote %s/log.jsonl\n", out);
  host_free(h);
  return rc;
}

int main(int argc, char **argv) {
  blas_core_select(argv); /* the trainers' kernels (blas_core.h); may re-execute ebmforge */
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    fputs(usage_main, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--version")) {
    puts(EBM_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "--blas-core")) {
    char core[200];
    blas_core_describe(core, sizeof core);
    puts(core);
    return 0;
  }
  if (!strcmp(cmd, "build")) return cmd_build(argc - 2, argv + 2);
  if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
  if (!strcmp(cmd, "ir")) return cmd_ir(argc - 2, argv + 2);
  if (!strcmp(cmd, "check")) return cmd_check(argc - 2, argv + 2);
  if (!strcmp(cmd, "pack")) return cmd_pack(argc - 2, argv + 2);
  if (!strcmp(cmd, "overview")) return cmd_overview(argc - 2, argv + 2);
  if (!strcmp(cmd, "plot")) return cmd_plot(argc - 2, argv + 2);
  if (!strcmp(cmd, "doc")) return cmd_doc(argc - 2, argv + 2);
  if (!strcmp(cmd, "study")) return cmd_study(argc - 2, argv + 2);
  if (!strcmp(cmd, "report")) return cmd_report(argc - 2, argv + 2);
  fprintf(stderr, "ebmforge: unknown command '%s'\n\n%s", cmd, usage_main);
  return 2;
}
