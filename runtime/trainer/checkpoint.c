#include "checkpoint.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hparams.h"
#include "safetensors.h"
#include "toy_data.h"
#include "xalloc.h"

/* The data crc of safetensors does not cover the metadata, so the run's
 * identity (step, seed, optimiser steps, model, learning-rate scale, run-time
 * parameters, data) carries a crc of its own. lr_scale (`train --nan-retries`)
 * is absent from checkpoints written before it existed: they load with scale 1;
 * hparams (the run-time parameters' values, a JSON object) likewise: they load
 * with the defaults; the data keys (run_data.h) too: they record no data. */
static const char *const meta_keys[] = {"format",          "model",     "fingerprint",   "step", "seed",
                                        "optimizer_steps", "lr_scale",  "hparams",       "data", "data_sha256",
                                        "data_shape",      "data_test", "data_test_file"};
enum { N_META = 13, N_META_HP = 8, N_META_LR = 7, N_META_OLD = 6 };

static const DataId *recorded; /* the running trainer's data, written into every checkpoint */
void checkpoint_record_data(const DataId *id) { recorded = id; }

/* the data keys' values (buffers of RUN_PATH_MAX + 80) */
static void data_meta(const DataId *id, char *shape, char *test_file) {
  shape[0] = test_file[0] = 0;
  if (!strcmp(id->kind, "npy")) sprintf(shape, "%ld,%d,%s", id->rows, id->cols, id->f64 ? "float64" : "float32");
  if (!strcmp(id->test, "file")) sprintf(test_file, "%s %s", id->test_sha256, id->test_path);
}

static unsigned long meta_crc(const char *const *vals, int n) {
  unsigned long c = crc32(0L, Z_NULL, 0);
  for (int i = 0; i < n; i++) {
    c = crc32(c, (const Bytef *)meta_keys[i], (uInt)strlen(meta_keys[i]) + 1);
    c = crc32(c, (const Bytef *)vals[i], (uInt)strlen(vals[i]) + 1);
  }
  return c;
}

/* A decimal written by checkpoint_save: digits only, no sign, no overflow.
 * Returns the character after it, or NULL. */
static const char *parse_u64(const char *p, uint64_t *v) {
  if (*p < '0' || *p > '9') return NULL;
  uint64_t x = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) return NULL;
    x = x * 10 + (uint64_t)(*p - '0');
  }
  *v = x;
  return p;
}

/* The metadata crc over the keys the file has (older formats have fewer). 0, or -1 with err. */
static int check_meta(const StFile *f, const char *path, char *err, size_t errlen) {
  const char *vals[N_META], *want = st_meta(f, "meta_crc32");
  char got[16];
  int missing = !want, n = st_meta(f, "data")       ? N_META
                           : st_meta(f, "hparams")  ? N_META_HP
                           : st_meta(f, "lr_scale") ? N_META_LR
                                                    : N_META_OLD;
  for (int i = 0; i < n; i++) missing |= !(vals[i] = st_meta(f, meta_keys[i]));
  if (!missing) snprintf(got, sizeof got, "%08lx", meta_crc(vals, n));
  if (missing || strcmp(got, want)) {
    snprintf(err, errlen, "%s: metadata is corrupt (meta_crc32 %s, expected %s)", path, missing ? "missing" : got,
             want ? want : "none");
    return -1;
  }
  return 0;
}

int checkpoint_save(const char *path, const Model *m, const ModelState *s, long step, char *err, size_t errlen) {
  int n = 0;
  StTensor *t = xcalloc(3 * m->n_vars, sizeof(StTensor), "checkpoint tensors");
  char **names = xcalloc(3 * m->n_vars, sizeof(char *), "checkpoint tensor names");
  for (int v = 0; v < m->n_vars; v++) {
    const ModelVar *d = &m->vars[v];
    const float *parts[3] = {s->vars[v], s->adam_m[v], s->adam_v[v]};
    const char *suffix[3] = {"", ".adam_m", ".adam_v"};
    for (int k = 0; k < 3; k++) {
      if (!parts[k]) continue;
      size_t len = strlen(d->name) + 10;
      names[n] = xmalloc(len, "a checkpoint tensor name");
      snprintf(names[n], len, "%s%s", d->name, suffix[k]);
      t[n].name = names[n];
      t[n].rank = d->rank;
      for (int a = 0; a < d->rank; a++) t[n].shape[a] = d->shape[a];
      t[n].data = parts[k];
      n++;
    }
  }
  char stepbuf[32], seedbuf[32], opt[256] = "", scalebuf[32];
  snprintf(stepbuf, sizeof stepbuf, "%ld", step);
  snprintf(seedbuf, sizeof seedbuf, "%" PRIu64, s->seed);
  snprintf(scalebuf, sizeof scalebuf, "%.17g", s->lr_scale);
  for (int o = 0, k = 0; o < m->n_opts; o++) k += snprintf(opt + k, sizeof opt - k, "%s%ld", o ? "," : "", s->opt_t[o]);
  char *hp = hparam_json(m->hparams, m->n_hparams, s->hparams);
  static DataId none; /* a checkpoint written outside `train` (tests) records empty data keys */
  const DataId *d = recorded ? recorded : &none;
  char shape[RUN_PATH_MAX + 80], test_file[RUN_PATH_MAX + 80];
  data_meta(d, shape, test_file);
  const char *keys[N_META + 1], *vals[N_META + 1] = {"ebmforge-checkpoint-1",
                                                     m->name,
                                                     m->fingerprint,
                                                     stepbuf,
                                                     seedbuf,
                                                     opt,
                                                     scalebuf,
                                                     hp,
                                                     d->spec,
                                                     d->sha256,
                                                     shape,
                                                     d->test,
                                                     test_file};
  char crcbuf[16];
  for (int i = 0; i < N_META; i++) keys[i] = meta_keys[i];
  snprintf(crcbuf, sizeof crcbuf, "%08lx", meta_crc(vals, N_META));
  keys[N_META] = "meta_crc32";
  vals[N_META] = crcbuf;
  int rc = st_write(path, t, n, keys, vals, N_META + 1, err, errlen);
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
  free(t);
  free(hp);
  return rc;
}

int checkpoint_load(const char *path, const Model *m, ModelState *s, long *step, uint64_t *seed, char *err,
                    size_t errlen) {
  StFile f;
  if (st_read(path, &f, err, errlen)) return -1;
  int rc = -1;
  const char *fmt = st_meta(&f, "format"), *fp = st_meta(&f, "fingerprint");
  const char *st = st_meta(&f, "step"), *sd = st_meta(&f, "seed"), *ot = st_meta(&f, "optimizer_steps");
  if (!fmt || strcmp(fmt, "ebmforge-checkpoint-1")) {
    snprintf(err, errlen, "%s: not an ebmforge checkpoint", path);
    goto done;
  }
  if (check_meta(&f, path, err, errlen)) goto done;
  if (!fp || strcmp(fp, m->fingerprint)) {
    snprintf(err, errlen, "%s: written by another model (fingerprint %s, model '%s'); this trainer is %s (%s)", path,
             fp ? fp : "none", st_meta(&f, "model") ? st_meta(&f, "model") : "?", m->fingerprint, m->name);
    goto done;
  }
  if (!st || !sd || !ot) {
    snprintf(err, errlen, "%s: step, seed or optimizer_steps missing", path);
    goto done;
  }
  /* the header is not covered by the crc32: refuse what checkpoint_save cannot have written */
  uint64_t u;
  const char *end = parse_u64(st, &u);
  if (!end || *end || u > LONG_MAX) {
    snprintf(err, errlen, "%s: metadata step '%s' is not a step count", path, st);
    goto done;
  }
  *step = (long)u;
  end = parse_u64(sd, seed);
  if (!end || *end) {
    snprintf(err, errlen, "%s: metadata seed '%s' is not a seed", path, sd);
    goto done;
  }
  const char *p = ot;
  for (int o = 0; o < m->n_opts; o++) {
    end = parse_u64(p, &u);
    if (!end || u > LONG_MAX || *end != (o + 1 < m->n_opts ? ',' : '\0')) {
      snprintf(err, errlen, "%s: metadata optimizer_steps '%s' is not %d step counts", path, ot, m->n_opts);
      goto done;
    }
    s->opt_t[o] = (long)u;
    p = end + (*end == ',');
  }
  if (m->n_opts == 0 && *ot) {
    snprintf(err, errlen, "%s: metadata optimizer_steps '%s' should be empty", path, ot);
    goto done;
  }
  const char *ls = st_meta(&f, "lr_scale");
  s->lr_scale = 1;
  if (ls) {
    char *e;
    s->lr_scale = strtod(ls, &e);
    if (*e || !(s->lr_scale > 0 && s->lr_scale <= 1)) {
      snprintf(err, errlen, "%s: metadata lr_scale '%s' is not in (0, 1]", path, ls);
      goto done;
    }
  }
  const char *hp = st_meta(&f, "hparams");
  if (hp && hparam_set_json(m->hparams, m->n_hparams, s->hparams, hp, strlen(hp), path, err, errlen)) goto done;
  for (int v = 0; v < m->n_vars; v++) {
    const ModelVar *d = &m->vars[v];
    float *parts[3] = {s->vars[v], s->adam_m[v], s->adam_v[v]};
    const char *suffix[3] = {"", ".adam_m", ".adam_v"};
    for (int k = 0; k < 3; k++) {
      if (!parts[k]) continue;
      char name[512];
      snprintf(name, sizeof name, "%s%s", d->name, suffix[k]);
      const StEntry *e = st_find(&f, name);
      int64_t numel = 1;
      if (e)
        for (int a = 0; a < e->rank; a++) numel *= e->shape[a];
      if (!e || numel != d->numel) {
        snprintf(err, errlen, "%s: tensor %s is missing or has the wrong size", path, name);
        goto done;
      }
      memcpy(parts[k], e->data, d->numel * sizeof(float));
    }
  }
  if (m->device_release) m->device_release(s); /* the device copy is stale now */
  rc = 0;
done:
  st_free(&f);
  return rc;
}

int checkpoint_read_data(const char *path, DataId *id, int *has, char *err, size_t errlen) {
  StFile f;
  memset(id, 0, sizeof *id);
  *has = 0;
  if (st_read(path, &f, err, errlen)) return -1;
  const char *spec = st_meta(&f, "data"), *sha = st_meta(&f, "data_sha256"), *shape = st_meta(&f, "data_shape");
  const char *test = st_meta(&f, "data_test"), *tf = st_meta(&f, "data_test_file");
  if (spec && *spec && sha && shape && test && tf && !check_meta(&f, path, err, errlen)) {
    *has = 1;
    snprintf(id->spec, sizeof id->spec, "%s", spec);
    snprintf(id->sha256, sizeof id->sha256, "%s", sha);
    snprintf(id->kind, sizeof id->kind, "%s", *sha ? "npy" : toy_dataset(spec) ? "toy" : "images");
    char dtype[16] = "";
    if (sscanf(shape, "%ld,%d,%15s", &id->rows, &id->cols, dtype) == 3) id->f64 = !strcmp(dtype, "float64");
    snprintf(id->test, sizeof id->test, "%s", test);
    if (*tf && strlen(tf) > 65) {
      snprintf(id->test_sha256, sizeof id->test_sha256, "%.64s", tf);
      snprintf(id->test_path, sizeof id->test_path, "%s", tf + 65);
    }
  }
  st_free(&f);
  return 0;
}
