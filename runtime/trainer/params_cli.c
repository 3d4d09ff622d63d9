#include "params_cli.h"

#include <stdlib.h>
#include <string.h>

#include "hparams.h"

int param_args_apply(const ParamArgs *a, const Model *m, double *vals, char *err, size_t errlen) {
  if (a->config && hparam_set_file(m->hparams, m->n_hparams, vals, a->config, err, errlen)) return -1;
  for (int k = 0; k < a->sets.n; k++)
    if (hparam_set_arg(m->hparams, m->n_hparams, vals, a->sets.items[k], "--set", err, errlen)) return -1;
  return 0;
}

void param_log_changes(FILE *log, const char *prog, long step, const Model *m, const double *before,
                       const double *after) {
  for (int k = 0; k < m->n_hparams; k++) {
    if (!memcmp(&before[k], &after[k], sizeof(double))) continue;
    if (log)
      fprintf(log, "{\"iter\": %ld, \"event\": \"param_changed\", \"name\": \"%s\", \"from\": %.17g, \"to\": %.17g}\n",
              step, m->hparams[k].name, before[k], after[k]);
    fprintf(stderr, "%s: resuming at step %ld with %s = %.9g (the checkpoint's run used %.9g)\n", prog, step,
            m->hparams[k].name, after[k], before[k]);
  }
}

void param_help(FILE *f, const Model *m, const double *vals) {
  fprintf(f, "run-time parameters (--set NAME=VALUE; `--config FILE.json` takes {\"NAME\": VALUE, ...}):\n");
  fprintf(f, "  %-14s %-12s %-14s %s\n", "name", vals ? "value" : "default", "valid", "meaning");
  hparam_list(f, m->hparams, m->n_hparams, vals);
}

void param_args_free(ParamArgs *a) { free(a->sets.items); }
