/* Step program construction and listing. */
#include "program.h"

#include <stdlib.h>
#include <string.h>

Program *program_new(void) {
  Program *p = calloc(1, sizeof(Program));
  program_entry(p, "train", -1, -1);
  program_entry_end(p);
  return p;
}

int program_find_entry(const Program *p, const char *name) {
  for (int i = 0; i < p->n_entries; i++)
    if (!strcmp(p->entries[i].name, name)) return i;
  return -1;
}

int program_entry(Program *p, const char *name, int in_var, int out_var) {
  int e = program_find_entry(p, name);
  if (e < 0) {
    p->entries = realloc(p->entries, (p->n_entries + 1) * sizeof(Entry));
    p->entries[p->n_entries] = (Entry){strdup(name), in_var, out_var};
    e = p->n_entries++;
  }
  p->cur_entry = e;
  return e;
}

void program_entry_end(Program *p) { p->cur_entry = 0; }

void program_free(Program *p) {
  if (!p) return;
  for (int i = 0; i < p->n_items; i++) {
    Item *it = &p->items[i];
    for (int k = 0; k < it->n_logs; k++) free(it->logs[k].name);
    free(it->name);
    free(it->assigns);
    free(it->logs);
    free(it->params);
    free(it->grads);
  }
  for (int i = 0; i < p->n_opts; i++) free(p->opts[i].name);
  for (int i = 0; i < p->n_entries; i++) free(p->entries[i].name);
  free(p->items);
  free(p->opts);
  free(p->entries);
  free(p);
}

int program_add_optimizer(Program *p, const char *name, double lr, double b1, double b2, double eps, double lr_min,
                          long horizon) {
  p->opts = realloc(p->opts, (p->n_opts + 1) * sizeof(Optimizer));
  p->opts[p->n_opts] = (Optimizer){strdup(name), lr, b1, b2, eps, lr_min, horizon, -1, -1, -1, -1, -1};
  return p->n_opts++;
}

static Item *add_item(Program *p, ItemKind kind, const char *name, int line) {
  if (p->n_items == p->cap_items) {
    p->cap_items = p->cap_items ? 2 * p->cap_items : 16;
    p->items = realloc(p->items, p->cap_items * sizeof(Item));
  }
  Item *it = &p->items[p->n_items++];
  memset(it, 0, sizeof *it);
  it->kind = kind;
  it->name = strdup(name ? name : "");
  it->opt = -1;
  it->line = line;
  it->entry = p->cur_entry;
  return it;
}

Item *program_add_phase(Program *p, const char *name, int line) { return add_item(p, ITEM_PHASE, name, line); }

void program_loop_begin(Program *p, int count, int hp_count, int line) {
  if (p->depth >= PROGRAM_MAX_LOOP_DEPTH) ir_fail("loops nest at most %d deep", PROGRAM_MAX_LOOP_DEPTH);
  Item *it = add_item(p, ITEM_LOOP_BEGIN, "loop", line);
  it->count = count;
  it->hp_count = hp_count;
  p->depth++;
}

void program_loop_end(Program *p) {
  add_item(p, ITEM_LOOP_END, "end", 0);
  p->depth--;
}

int *phase_outputs(const Item *it, int *n) {
  *n = it->n_assigns + it->n_logs + it->n_params;
  int *outs = malloc((*n ? *n : 1) * sizeof(int)), k = 0;
  for (int i = 0; i < it->n_assigns; i++) outs[k++] = it->assigns[i].node;
  for (int i = 0; i < it->n_logs; i++) outs[k++] = it->logs[i].node;
  for (int i = 0; i < it->n_params; i++) outs[k++] = it->grads[i];
  return outs;
}

/* a run-time value by its name ($lr), so the listing (and the fingerprint made from it) leaves the value out */
static void opt_value(FILE *f, const Graph *g, int hp, double v) {
  if (hp >= 0)
    fprintf(f, "$%s", g->hparams[hp].name);
  else
    fprintf(f, "%g", v);
}

void program_dump(const Graph *g, const Program *p, FILE *f, int with_ir) {
  int depth = 0;
  for (int i = 0; i < p->n_opts; i++) {
    const Optimizer *o = &p->opts[i];
    fprintf(f, "optimizer %s: adam lr=", o->name);
    opt_value(f, g, o->hp_lr, o->lr);
    fprintf(f, " betas=(");
    opt_value(f, g, o->hp_beta1, o->beta1);
    fprintf(f, ", ");
    opt_value(f, g, o->hp_beta2, o->beta2);
    fprintf(f, ") eps=");
    opt_value(f, g, o->hp_eps, o->eps);
    if (o->horizon > 0) {
      fprintf(f, " cosine to ");
      opt_value(f, g, o->hp_lr_min, o->lr_min);
      fprintf(f, " over %ld steps", o->horizon);
    }
    fprintf(f, "\n");
  }
  for (int i = 0; i < p->n_items; i++) {
    const Item *it = &p->items[i];
    if (i == 0 || it->entry != p->items[i - 1].entry) {
      const Entry *e = &p->entries[it->entry];
      fprintf(f, "entry %s", e->name);
      if (e->in_var >= 0) fprintf(f, " (input %s)", g->vars[e->in_var].name);
      if (e->out_var >= 0) fprintf(f, " (output %s)", g->vars[e->out_var].name);
      fputc('\n', f);
    }
    if (it->kind == ITEM_LOOP_END) {
      depth--;
      fprintf(f, "%*send\n", 2 * depth, "");
      continue;
    }
    if (it->kind == ITEM_LOOP_BEGIN) {
      if (it->hp_count >= 0) /* the value is the run's: the listing (and fingerprint) names it */
        fprintf(f, "%*sloop $%s times (at most %d)\n", 2 * depth, "", g->hparams[it->hp_count].name, it->count);
      else
        fprintf(f, "%*sloop %d times\n", 2 * depth, "", it->count);
      depth++;
      continue;
    }
    fprintf(f, "%*sphase %s", 2 * depth, "", it->name);
    if (it->line) fprintf(f, "  ; line %d", it->line);
    fputc('\n', f);
    for (int k = 0; k < it->n_assigns; k++)
      fprintf(f, "%*s  %s <- %%%d\n", 2 * depth, "", g->vars[it->assigns[k].var].name, it->assigns[k].node);
    for (int k = 0; k < it->n_logs; k++)
      fprintf(f, "%*s  log %s = %%%d\n", 2 * depth, "", it->logs[k].name, it->logs[k].node);
    if (it->opt >= 0) {
      fprintf(f, "%*s  %s.step(", 2 * depth, "", p->opts[it->opt].name);
      for (int k = 0; k < it->n_params; k++)
        fprintf(f, "%s%s: %%%d", k ? ", " : "", g->vars[it->params[k]].name, it->grads[k]);
      fprintf(f, ")\n");
    }
    if (with_ir) {
      int n, *outs = phase_outputs(it, &n);
      ir_dump(g, f, n, outs, NULL);
      free(outs);
    }
  }
}
