#include "doc_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "atomic_file.h"
#include "cli.h"
#include "host.h"

static const char *about =
    "Writes the reference of the model-file language as Markdown: every method with\n"
    "its options, defaults and meanings, the entries, networks (nets.*), layers (nn.*),\n"
    "optimisers, the step program and every tensor op, from the same tables that\n"
    "validate model files. docs/dsl.md is this output (tests/dsl_doc.sh checks it);\n"
    "regenerate it with `ebmforge doc -o docs/dsl.md` after changing an option.\n";

/* every combination of each model: the options it gives all have descriptions */
static int check_models(int n, const char **paths) {
  int rc = 0;
  for (int i = 0; i < n; i++) {
    for (int c = 0, combos = 1; c < combos; c++) {
      Host *h = host_new();
      if (!h) return 1;
      if (host_load_model_combo(h, paths[i], c)) {
        fprintf(stderr, "ebmforge doc: %s\n", h->error);
        host_free(h);
        return 2;
      }
      combos = host_sweep_size(h);
      if (host_run_string(h, "__doc_n = require('doc').check_used()", "=doc")) {
        fprintf(stderr, "ebmforge doc: %s (combination %d of %d): %s\n", paths[i], c + 1, combos, h->error);
        rc = 1;
      } else {
        lua_getglobal(h->L, "__doc_n");
        printf("%s (combination %d of %d): %d options, all described\n", paths[i], c + 1, combos,
               (int)lua_tointeger(h->L, -1));
        lua_pop(h->L, 1);
      }
      host_free(h);
    }
  }
  return rc;
}

int cmd_doc(int argc, char **argv) {
  const char *out = NULL;
  int check = 0;
  CliList models = {0};
  const CliOpt opts[] = {
      ARG_LIST("MODEL.lua", &models, "with --check: the model files to check"),
      OPT_STRING("-o", &out, "FILE", "write FILE (atomically) instead of standard output"),
      OPT_FLAG("--check", &check,
               "write nothing: load each MODEL (every sweep combination) and check that every option it gives has "
               "a description in the reference"),
      OPT_END,
  };
  const CliCommand cmd = {"doc", about, opts,
                          "exit codes: 0 done, 1 I/O error or an option or function without a description,\n"
                          "2 bad arguments\n"};
  int rc = cli_parse(&cmd, argc, argv);
  if (!rc && check && (out || !models.n))
    rc = bad(out ? "--check writes nothing: drop -o" : "--check needs MODEL.lua...");
  if (!rc && !check && models.n) rc = badf("unexpected argument '%s': model files go with --check", models.items[0]);
  if (rc || check) {
    rc = rc ? (rc == CLI_HELP ? 0 : rc) : check_models(models.n, models.items);
    free(models.items);
    return rc;
  }
  Host *h = host_new();
  if (!h) return 1;
  if (host_run_string(h, "__doc_text = require('doc').render()", "=doc")) {
    fprintf(stderr, "ebmforge doc: %s\n", h->error);
    rc = 1;
  } else {
    lua_getglobal(h->L, "__doc_text");
    size_t len;
    const char *text = lua_tolstring(h->L, -1, &len);
    if (!out)
      fwrite(text, 1, len, stdout);
    else {
      AtomicFile af;
      char err[600] = "";
      if (atomic_open(&af, out, err, sizeof err) || (fwrite(text, 1, len, af.f) != len ? (atomic_abort(&af), 1) : 0) ||
          atomic_commit(&af, err, sizeof err)) {
        fprintf(stderr, "ebmforge doc: %s\n", *err ? err : out);
        rc = 1;
      } else
        fprintf(stderr, "ebmforge doc: wrote %s\n", out);
    }
    lua_pop(h->L, 1);
  }
  host_free(h);
  return rc;
}
