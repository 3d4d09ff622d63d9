#include "info_cmd.h"

#include <stdio.h>

#include "blas_core.h"
#include "cli.h"
#include "model.h"
#include "params_cli.h"

int cmd_info(int argc, char **argv) {
  const CliOpt opts[] = {OPT_END};
  const CliCommand cmd = {"info", "Prints the model's identity, variables, sizes and run-time parameters.\n", opts,
                          NULL};
  int rc = cli_parse(&cmd, argc, argv);
  if (rc) return rc == CLI_HELP ? 0 : rc;
  long params = 0;
  for (int v = 0; v < model.n_vars; v++)
    if (model.vars[v].kind == MODEL_PARAM) params += model.vars[v].numel;
  printf(
      "model       %s\nmethod      %s\ndata        %s\nfingerprint %s\nparameters  %ld\narena       %ld bytes\n"
      "flops/step  %.6g (matmuls of one training iteration)\n",
      model.name, model.method, model.data, model.fingerprint, params, model.arena_floats * 4, model.matmul_flops);
  if (model.ranks > 1) printf("ranks       %d (data-parallel: launch with mpirun -np %d)\n", model.ranks, model.ranks);
  char core[200];
  blas_core_describe(core, sizeof core);
  printf("blas core   %s\n", core);
  static const char *kinds[] = {"param", "buffer", "state"};
  for (int v = 0; v < model.n_vars; v++) {
    const ModelVar *d = &model.vars[v];
    printf("  %-6s %-32s [", kinds[d->kind], d->name);
    for (int a = 0; a < d->rank; a++) printf("%s%d", a ? "," : "", d->shape[a]);
    printf("]\n");
  }
  param_help(stdout, &model, NULL);
  return 0;
}
