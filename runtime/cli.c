#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "edit_distance.h"
#include "xalloc.h"

const char *prog = "ebmforge"; /* the trainers set theirs from argv[0] */
const char *command = "";

int bad(const char *msg) {
  fprintf(stderr, "%s: %s (see %s%s%s --help)\n", prog, msg, prog, *command ? " " : "", command);
  return CLI_BAD;
}

int badf(const char *fmt, ...) {
  char m[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m, sizeof m, fmt, ap);
  va_end(ap);
  return bad(m);
}

static int is_number(CliKind k) { return k == CLI_LONG || k == CLI_DOUBLE; }
static int is_arg(const CliOpt *o) { return o->name[0] != '-'; }

/* "a non-negative integer", "a number in (0, 1)", "png, pdf or svg": what an
 * option that checks its value takes; "" for the others */
static void valid_values(const CliOpt *o, char *buf, size_t n) {
  int top = o->hi >= CLI_NO_MAX;
  if (o->kind == CLI_PARSED)
    snprintf(buf, n, "%s", o->want);
  else if (!is_number(o->kind))
    *buf = 0;
  else if (o->kind == CLI_LONG) {
    if (top && o->lo == 0)
      snprintf(buf, n, "a non-negative integer");
    else if (top && o->lo == 1)
      snprintf(buf, n, "a positive integer");
    else if (top)
      snprintf(buf, n, "an integer >= %.0f", o->lo);
    else
      snprintf(buf, n, "an integer in %.0f..%.0f", o->lo, o->hi);
  } else {
    if (top && o->lo == 0)
      snprintf(buf, n, "a positive number");
    else if (top && o->lo <= -CLI_NO_MAX)
      snprintf(buf, n, "a number");
    else if (top)
      snprintf(buf, n, "a number > %g", o->lo);
    else
      snprintf(buf, n, "a number in (%g, %g)", o->lo, o->hi);
  }
}

/* the whole of s as a number of o's kind inside o's range: 0, or -1 */
static int take_number(const CliOpt *o, const char *s) {
  char *end;
  errno = 0;
  if (o->kind == CLI_LONG) {
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < o->lo || v > o->hi) return -1;
    *(long *)o->dest = v;
  } else {
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v > o->lo && v < o->hi)) return -1; /* NaN fails too */
    *(double *)o->dest = v;
  }
  return 0;
}

static int take_value(const CliOpt *o, const char *v) {
  if ((is_number(o->kind) && take_number(o, v)) || (o->kind == CLI_PARSED && o->parse(v, o->dest))) {
    char want[300];
    valid_values(o, want, sizeof want);
    return badf("%s needs %s, not '%s'", o->name, want, v);
  }
  if (o->kind == CLI_STRING) *(const char **)o->dest = v;
  if (o->kind == CLI_LIST) {
    CliList *l = o->dest;
    l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items, "the repeated options");
    l->items[l->n++] = v;
  }
  return CLI_OK;
}

/* the index of the name nearest to an unknown word among names[0..n), when it
 * is near enough to be a typo of it, or -1; NULL names are skipped */
static int nearest(const char *word, const char *const *names, int n) {
  int best = -1, bd = 1 << 30;
  for (int i = 0; i < n; i++) {
    int d = names[i] ? edit_distance(word, names[i]) : bd;
    if (d < bd) bd = d, best = i;
  }
  int len = best < 0 ? 0 : (int)strlen(names[best]);
  return best >= 0 && bd <= (len < 6 ? 1 : len / 3) ? best : -1;
}

/* the option nearest to an unknown one, or NULL */
static const CliOpt *nearest_opt(const CliCommand *c, const char *arg) {
  const char *names[256];
  int n = 0;
  for (const CliOpt *o = c->opts; o->name && n < 256; o++) names[n++] = is_arg(o) ? NULL : o->name;
  int k = nearest(arg, names, n);
  return k < 0 ? NULL : &c->opts[k];
}

/* a word no row takes; last_arg: the command's last argument row, or NULL */
static int unknown(const CliCommand *c, const char *arg, const CliOpt *last_arg) {
  if (arg[0] != '-' && last_arg) return badf("unexpected argument '%s' after %s", arg, last_arg->name);
  if (arg[0] != '-') return badf("unexpected argument '%s': %s %s takes options only", arg, prog, c->name);
  const CliOpt *near = nearest_opt(c, arg);
  if (near) return badf("unknown option '%s'; did you mean %s?", arg, near->name);
  return badf("unknown option '%s'", arg);
}

/* the first argument row from o on, or NULL */
static const CliOpt *next_arg(const CliOpt *o) {
  while (o->name && !is_arg(o)) o++;
  return o->name ? o : NULL;
}

int cli_parse(const CliCommand *c, int argc, char **argv) {
  command = c->name;
  for (int i = 0; i < argc; i++) /* help wins wherever it stands */
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      cli_help(stdout, c);
      return CLI_HELP;
    }
  int n_opts = 0;
  while (c->opts[n_opts].name) n_opts++;
  char *seen = xcalloc(n_opts + 1, 1, "the options given");
  const CliOpt *arg = next_arg(c->opts), *last_arg = NULL; /* the row the next bare word fills */
  int rc = CLI_OK;
  for (int i = 0; i < argc && !rc; i++) {
    const CliOpt *o = c->opts;
    if (argv[i][0] != '-' && arg) {
      seen[arg - c->opts] = 1;
      rc = take_value(arg, argv[i]);
      last_arg = arg;
      if (arg->kind != CLI_LIST) arg = next_arg(arg + 1);
      continue;
    }
    while (o->name && (is_arg(o) || strcmp(o->name, argv[i]))) o++;
    if (!o->name) {
      rc = unknown(c, argv[i], last_arg);
      break;
    }
    seen[o - c->opts] = 1;
    if (o->kind == CLI_FLAG) {
      *(int *)o->dest = 1;
      continue;
    }
    if (i + 1 >= argc) {
      rc = badf("%s needs a value: %s %s", o->name, o->name, o->meta);
      break;
    }
    rc = take_value(o, argv[++i]);
  }
  for (int k = 0; k < n_opts && !rc; k++) {
    const CliOpt *o = &c->opts[k];
    if (!o->required || seen[k]) continue;
    if (is_arg(o))
      rc = badf("%s needs %s%s", c->name, o->kind == CLI_LIST ? "at least one " : "", o->name);
    else
      rc = badf("%s %s is required", o->name, o->meta);
  }
  free(seen);
  return rc;
}

/* words from column x on, broken before `width` onto lines that start at column `col`;
 * a '\1' inside a word is printed as a space the line is never broken at */
static void wrap(FILE *f, const char *text, int x, int col, int width) {
  int fresh = 1; /* nothing on this line yet */
  while (*text) {
    int len = (int)strcspn(text, " ");
    if (!fresh && x + 1 + len > width) {
      fprintf(f, "\n%*s", col, "");
      x = col;
      fresh = 1;
    }
    if (!fresh) {
      fputc(' ', f);
      x++;
    }
    for (int i = 0; i < len; i++) fputc(text[i] == '\1' ? ' ' : text[i], f);
    x += len;
    fresh = 0;
    text += len;
    while (*text == ' ') text++;
  }
  fputc('\n', f);
}

/* "(a positive integer, default 10)" as help shows it, or "" */
static void default_text(const CliOpt *o, char *buf, size_t n) {
  char valid[300], dflt[300] = "";
  valid_values(o, valid, sizeof valid);
  if (o->dflt)
    snprintf(dflt, sizeof dflt, "%s", o->dflt);
  else if (o->kind == CLI_LONG)
    snprintf(dflt, sizeof dflt, "%ld", *(long *)o->dest);
  else if (o->kind == CLI_DOUBLE)
    snprintf(dflt, sizeof dflt, "%g", *(double *)o->dest);
  else if (o->kind == CLI_STRING && *(const char **)o->dest)
    snprintf(dflt, sizeof dflt, "%s", *(const char **)o->dest);
  if (*valid || *dflt)
    snprintf(buf, n, "(%s%s%s%s)", valid, *valid && *dflt ? ", " : "", *dflt ? "default " : "", dflt);
  else
    *buf = 0;
}

enum { HELP_COL = 22, HELP_WIDTH = 79 };

/* "  --iters N           text (default ...)": one row of the options or arguments */
static void help_row(FILE *f, const CliOpt *o) {
  char dflt[400], text[2000];
  default_text(o, dflt, sizeof dflt);
  snprintf(text, sizeof text, "%s%s%s%s", o->help, *dflt ? " " : "", dflt,
           o->kind == CLI_LIST && !is_arg(o) ? " (repeatable)" : "");
  int n = fprintf(f, "  %s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
  if (n + 1 >= HELP_COL)
    fprintf(f, "\n%*s", HELP_COL, ""); /* a long name: its text on the next line */
  else
    fprintf(f, "%*s", HELP_COL - n, "");
  wrap(f, text, HELP_COL, HELP_COL, HELP_WIDTH);
}

/* the rows that are arguments (args = 1) or options (0), in the usage line:
 * required ones bare, the others in brackets */
static int synopsis(char *syn, int len, int size, const CliOpt *o, int args) {
  for (; o->name && len < size; o++)
    if (is_arg(o) == args)
      len += snprintf(syn + len, size - len, " %s%s%s%s%s%s", o->required ? "" : "[", o->name, o->meta ? "\1" : "",
                      o->meta ? o->meta : "", o->required ? "" : "]", o->kind == CLI_LIST ? "..." : "");
  return len;
}

void cli_help(FILE *f, const CliCommand *c) {
  char syn[4096];
  int len = snprintf(syn, sizeof syn, "usage: %s %s", prog, c->name);
  len = synopsis(syn, len, sizeof syn, c->opts, 1);
  synopsis(syn, len, sizeof syn, c->opts, 0);
  wrap(f, syn, 0, 7, 100);
  if (c->about) fprintf(f, "\n%s", c->about);
  if (next_arg(c->opts)) {
    fprintf(f, "\narguments:\n");
    for (const CliOpt *o = c->opts; o->name; o++)
      if (is_arg(o)) help_row(f, o);
  }
  fprintf(f, "\noptions:\n");
  for (const CliOpt *o = c->opts; o->name; o++)
    if (!is_arg(o)) help_row(f, o);
  fprintf(f, "  %-*s%s\n", HELP_COL - 2, "-h, --help", "this text");
  if (c->footer) fprintf(f, "\n%s", c->footer);
}

/* ---- programs of several commands -------------------------------------- */

void cli_menu_help(FILE *f, const CliMenu *m) {
  fprintf(f, "usage: %s <command> [options]\n", prog);
  if (m->about) fprintf(f, "\n%s", m->about);
  fprintf(f, "\ncommands:\n");
  int col = 0; /* the summaries' column: after the longest "name args" */
  for (const CliSub *s = m->subs; s->name; s++) {
    int w = (int)strlen(s->name) + (s->args ? 1 + (int)strlen(s->args) : 0);
    if (w > col) col = w;
  }
  col += 4;
  for (const CliSub *s = m->subs; s->name; s++) {
    int n = fprintf(f, "  %s%s%s", s->name, s->args ? " " : "", s->args ? s->args : "");
    fprintf(f, "%*s", col - n, "");
    wrap(f, s->summary, col, col, HELP_WIDTH);
  }
  if (m->footer) fprintf(f, "\n%s", m->footer);
}

int cli_dispatch(const CliMenu *m, int argc, char **argv) {
  command = "";
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    cli_menu_help(argc < 2 ? stderr : stdout, m);
    return argc < 2 ? CLI_BAD : CLI_OK;
  }
  const char *names[256];
  int n = 0;
  for (const CliSub *s = m->subs; s->name && n < 256; s++) {
    if (!strcmp(argv[1], s->name)) {
      command = s->name;
      return s->run(argc - 2, argv + 2);
    }
    names[n++] = s->name;
  }
  int k = nearest(argv[1], names, n);
  if (k >= 0) return badf("unknown command '%s'; did you mean %s?", argv[1], names[k]);
  return badf("unknown command '%s'", argv[1]);
}
