/* ebmforge: the command-line front of the compiler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_core.h"
#include "build_cmd.h"
#include "cli.h"
#include "doc_cmd.h"
#include "ebm_version.h"
#include "host.h"
#include "overview_cmd.h"
#include "pack_cmd.h"
#include "plot_cmd.h"
#include "report_cmd.h"
#include "run.h"
#include "study_cmd.h"

/* the paragraphs of each command's --help around its table (cli.h) */
static const char *about_run =
    "Trains MODEL in the reference interpreter (slow, exact; the oracle for the\n"
    "compiled trainers) and writes one JSON object per logged step to DIR/log.jsonl.\n";

static const char *about_ir =
    "Prints the step program (optimisers, phases, loops, assignments, logs) and,\n"
    "unless --program is given, the IR each phase evaluates: one SSA node a line,\n"
    "%id = OP inputs attributes : dtype[shape] ; model-file line.\n";

static const char *about_build =
    "Generates one C trainer per combination of MODEL, as DIR/<combination>/model.c,\n"
    "and DIR/build.ninja (DIR defaults to out/<model name>). Then `ninja -C DIR`\n"
    "builds DIR/<combination>/train-cpu; it reruns this command when MODEL changes\n"
    "and rebuilds only what changed. A combination is named after its method;\n"
    "a file declaring sweep{axis = {...}, ...} gets one trainer per element of the\n"
    "product of its lists, named <method>-<axis><value>... (e.g. bb-sv-gp-width64).\n";

static const char *about_check =
    "Loads MODEL and prints a summary (method, data, parameters, nodes, phases),\n"
    "one line per sweep combination, or the first error as path:line: message\n"
    "with exit code 2. Model files run sandboxed (no files, commands or bytecode;\n"
    "memory, instruction and time limits): see docs/model_files.md.\n";

static const char *about_pack =
    "Packs the combination's built trainer binaries (train-*) into FILE (default\n"
    "<model dir>-<combination>.tar.gz) under one folder, with run.sh, config.json (the\n"
    "resolved model) and manifest.json: fingerprint, variables and their shapes,\n"
    "parameter count, compiler and flags, CUDA architectures, and every shared\n"
    "library `ldd` lists for each binary with its Debian package and version.\n"
    "Trainers need neither Lua, the generator nor the source tree; OpenBLAS, libpng\n"
    "and zlib are linked statically where their archives are installed.\n";

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
  const char *path = NULL;
  const CliOpt opts[] = {ARG_STRING("MODEL.lua", &path, "the model file", .required = 1), OPT_END};
  const CliCommand cmd = {"check", about_check, opts, NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  /* every sweep combination: an error in any of them is an error of the file (and nothing is printed) */
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  for (int c = 0, n = 1; c < n; c++) {
    Host *h = load_combo(path, c);
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
    fprintf(f, "%s%s%s: method %s, data %s, %lld parameters, %d nodes, %d phases\n", path, n > 1 ? " " : "", combo,
            host_model_string(h, "method"), h->g->data_name, count_params(h->g), h->g->n_nodes, phases);
    host_free(h);
  }
  fclose(f);
  fputs(out, stdout);
  free(out);
  return 0;
}

static int cmd_ir(int argc, char **argv) {
  const char *path = NULL;
  int program_only = 0;
  const CliOpt opts[] = {
      ARG_STRING("MODEL.lua", &path, "the model file", .required = 1),
      OPT_FLAG("--program", &program_only, "the step program only, without the IR"),
      OPT_END,
  };
  const CliCommand cmd = {"ir", about_ir, opts, NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
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

static int cmd_pack(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  const CliOpt opts[] = {
      ARG_STRING("DIR", &dir, "a built combination, out/<model>/<combination>", .required = 1),
      OPT_STRING("-o", &out, "FILE.tar.gz", "the tarball to write", .dflt = "<model dir>-<combination>.tar.gz"),
      OPT_END,
  };
  const CliCommand cmd = {"pack", about_pack, opts, NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  return pack_trainers(dir, out);
}

static int cmd_build(int argc, char **argv) {
  BuildOptions o = {0};
  long ranks = 0;
  const CliOpt opts[] = {
      ARG_STRING("MODEL.lua", &o.model_path, "the model file", .required = 1),
      OPT_STRING("-o", &o.out_dir, "DIR", "output directory", .dflt = "out/<model name>"),
      OPT_STRING("--cflags", &o.cflags, "FLAGS",
                 "compiler flags: -ffp-contract=off (no fused multiply-add) makes trainers round as the interpreter "
                 "does; the other two change no value but let loops with sqrt or select vectorise. They are passed "
                 "to the link too, so --cflags '-O1 -g -fsanitize=address,undefined' builds a sanitized trainer",
                 .dflt = "-O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math"),
      OPT_STRING("--ldflags", &o.ldflags, "FLAGS", "extra link flags, after the objects (e.g. -Wl,-Map=map.txt)"),
      OPT_STRING("--cc", &o.cc, "CC", "C compiler", .dflt = "cc; mpicc with --mpi-ranks"),
      OPT_LONG("--mpi-ranks", &ranks, "R", 2, 4096,
               "a data-parallel trainer for R MPI ranks, each training on batch/R rows of the same global batch; "
               "links Open MPI. DIR defaults to out/<model name>-mpi<R>; launch with mpirun -np R or srun -n R. "
               "Where nvcc and NCCL (nccl.h, libnccl.so under $NCCL_HOME, the CUDA toolkit or /usr) are found, also "
               "train-cuda: one rank per GPU, NCCL all-reduce",
               .dflt = ""),
      OPT_PARSED("--cuda-arch", &o.cuda_arch, "LIST", build_cuda_arch_parse, "architectures such as 80,90",
                 "GPU architectures of train-cuda, comma-separated. Where nvcc is found (PATH, /usr/local/cuda/bin), "
                 "DIR/<combination>/model.cu and a train-cuda target are written too; `ninja -C DIR train-cpu` or "
                 "`train-cuda` builds one kind only",
                 .dflt = "80,90: sm_80 and sm_90"),
      OPT_FLAG("--no-cuda", &o.no_cuda, "no CUDA trainers even where nvcc is found"),
      OPT_END,
  };
  const CliCommand cmd = {"build", about_build, opts, NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  o.mpi_ranks = (int)ranks;
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

static int cmd_run(int argc, char **argv) {
  const char *path = NULL, *out = NULL, *data = NULL, *combo = NULL, *config = NULL;
  CliList sets = {0};
  long iters = -1, seed = 0, log_every = -1; /* -1: the model's */
  int f64 = 0;
  const CliOpt opts[] = {
      ARG_STRING("MODEL.lua", &path, "the model file", .required = 1),
      OPT_LONG("--iters", &iters, "N", 1, 1e9, "training iterations", .dflt = "the model's `iters`"),
      OPT_LONG("--seed", &seed, "S", 0, CLI_NO_MAX, "Philox seed; the same seed gives the same log"),
      OPT_STRING("--out", &out, "DIR", "output directory", .dflt = "out/run/<model name>"),
      OPT_STRING("--data", &data, "X.npy",
                 "train on a float32 or float64 [N, D] array instead of the model's data set (one row in 10 held "
                 "out, as the trainers do; docs/runs.md)"),
      OPT_LONG("--log-every", &log_every, "K", 1, 1e9, "log every K iterations", .dflt = "the model's `log_every`"),
      OPT_FLAG("--f64", &f64, "compute in double precision instead of float"),
      OPT_STRING("--combo", &combo, "NAME", "the sweep combination to train, e.g. bb-mi-gp-width64",
                 .dflt = "the first"),
      OPT_LIST("--set", &sets, "NAME=VALUE",
               "a run-time parameter (`ebmforge ir MODEL.lua --program` lists them), as `train --set` sets it in a "
               "compiled trainer"),
      OPT_STRING("--config", &config, "FILE.json",
                 "run-time parameters from a JSON object {\"NAME\": VALUE, ...} (--set wins)"),
      OPT_END,
  };
  const CliCommand cmd = {"run", about_run, opts,
                          "exit codes: 0 done, 1 I/O error, 2 bad model or arguments, 3 a loss became NaN/Inf\n"};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  Host *h = load_named(path, combo);
  if (!h) {
    free(sets.items);
    return 2;
  }
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
      .sets = sets.items,
      .n_sets = sets.n,
      .config = config,
  };
  int rc = run_model(h, &o);
  free(sets.items);
  if (!rc) fprintf(stderr, "ebmforge: wrote %s/log.jsonl\n", out);
  host_free(h);
  return rc;
}

static int cmd_version(int argc, char **argv) {
  const CliOpt opts[] = {OPT_END};
  const CliCommand cmd = {"--version", "Prints the version (git describe) that trainers record in run.json.\n", opts,
                          NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  puts(EBM_VERSION);
  return 0;
}

static int cmd_blas_core(int argc, char **argv) {
  const CliOpt opts[] = {OPT_END};
  const CliCommand cmd = {"--blas-core",
                          "Prints the OpenBLAS kernels (core) ebmforge and the trainers run (docs/performance.md).\n",
                          opts, NULL};
  int parsed = cli_parse(&cmd, argc, argv);
  if (parsed) return parsed == CLI_HELP ? 0 : parsed;
  char core[200];
  blas_core_describe(core, sizeof core);
  puts(core);
  return 0;
}

static const CliSub commands[] = {
    {"build", cmd_build, "MODEL.lua", "generate C trainers and their build.ninja under out/<model>"},
    {"run", cmd_run, "MODEL.lua", "train in the reference interpreter, write DIR/log.jsonl"},
    {"ir", cmd_ir, "MODEL.lua", "print the step program and its IR"},
    {"check", cmd_check, "MODEL.lua", "load a model, report errors or a one-line summary"},
    {"pack", cmd_pack, "DIR", "a built trainer (out/<model>/<combination>) as a self-contained tarball"},
    {"doc", cmd_doc, NULL, "the model-file language reference (docs/dsl.md)"},
    {"plot", cmd_plot, "RUN_DIR", "a run's density, log-density, samples and loss curves (PNG, PDF, SVG)"},
    {"overview", cmd_overview, "DIR...", "toy runs' densities and samples side by side in one figure"},
    {"study", cmd_study, "FILE.lua", "methods x data sets x seeds x budgets, trained, scored and tabled"},
    {"report", cmd_report, "DIR", "a study's tables (Markdown, CSV, JSON) and figures"},
    {"--version", cmd_version, NULL, "the version (git describe) that trainers record in run.json"},
    {"--blas-core", cmd_blas_core, NULL, "the OpenBLAS kernels (core) ebmforge and the trainers run"},
    {NULL, NULL, NULL, NULL},
};

int main(int argc, char **argv) {
  blas_core_select(argv); /* the trainers' kernels (blas_core.h); may re-execute ebmforge */
  const CliMenu menu = {
      "Compiles energy-based-model trainers described in Lua.\n",
      commands,
      "`ebmforge <command> --help` describes each command (docs/usage.md). Errors in a\n"
      "model file are reported as path:line: message with exit code 2.\n",
  };
  return cli_dispatch(&menu, argc, argv);
}
