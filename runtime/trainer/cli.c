#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "edit_distance.h"
#include "xalloc.h"

const char *prog = "train";
const char *command = "train";

int bad(const char *msg) {
  fprintf(stderr, "%s: %s (see %s %s --help)\n", prog, msg, prog, command);
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

/* "a non-negative integer", "a number in (0, 1)": what a number option takes */
static void valid_values(const CliOpt *o, char *buf, size_t n) {
  int top = o->hi >= CLI_NO_MAX;
  if (o->kind == CLI_LONG) {
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
  if (is_number(o->kind) && take_number(o, v)) {
    char want[80];
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

/* the option nearest to an unknown one, when it is near enough to be a typo */
static const CliOpt *nearest(const CliCommand *c, const char *arg) {
  const CliOpt *best = NULL;
  int bd = 1 << 30;
  for (const CliOpt *o = c->opts; o->name; o++) {
    int d = edit_distance(arg, o->name);
    if (d < bd) {
      bd = d;
      best = o;
    }
  }
  int len = (int)strlen(best ? best->name : "");
  return best && bd <= (len < 6 ? 1 : len / 3) ? best : NULL;
}

static int unknown(const CliCommand *c, const char *arg) {
  if (arg[0] != '-') return badf("unexpected argument '%s': %s %s takes options only", arg, prog, c->name);
  const CliOpt *near = nearest(c, arg);
  if (near) return badf("unknown option '%s'; did you mean %s?", arg, near->name);
  return badf("unknown option '%s'", arg);
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
  int rc = CLI_OK;
  for (int i = 0; i < argc && !rc; i++) {
    const CliOpt *o = c->opts;
    while (o->name && strcmp(o->name, argv[i])) o++;
    if (!o->name) {
      rc = unknown(c, argv[i]);
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
  for (int k = 0; k < n_opts && !rc; k++)
    if (c->opts[k].required && !seen[k]) rc = badf("%s %s is required", c->opts[k].name, c->opts[k].meta);
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
  char valid[80] = "", dflt[300] = "";
  if (is_number(o->kind)) valid_values(o, valid, sizeof valid);
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

void cli_help(FILE *f, const CliCommand *c) {
  /* the usage line: required options bare, the others in brackets */
  char syn[4096];
  int len = snprintf(syn, sizeof syn, "usage: %s %s", prog, c->name);
  for (const CliOpt *o = c->opts; o->name && len < (int)sizeof syn; o++)
    len += snprintf(syn + len, sizeof syn - len, " %s%s%s%s%s%s", o->required ? "" : "[", o->name, o->meta ? "\1" : "",
                    o->meta ? o->meta : "", o->required ? "" : "]", o->kind == CLI_LIST ? "..." : "");
  wrap(f, syn, 0, 7, 100);
  if (c->about) fprintf(f, "\n%s", c->about);
  fprintf(f, "\noptions:\n");
  for (const CliOpt *o = c->opts; o->name; o++) {
    char dflt[200], text[2000];
    default_text(o, dflt, sizeof dflt);
    snprintf(text, sizeof text, "%s%s%s%s", o->help, *dflt ? " " : "", dflt,
             o->kind == CLI_LIST ? " (repeatable)" : "");
    int n = fprintf(f, "  %s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
    if (n + 1 >= HELP_COL)
      fprintf(f, "\n%*s", HELP_COL, ""); /* a long name: its text on the next line */
    else
      fprintf(f, "%*s", HELP_COL - n, "");
    wrap(f, text, HELP_COL, HELP_COL, HELP_WIDTH);
  }
  fprintf(f, "  %-*s%s\n", HELP_COL - 2, "-h, --help", "this text");
  if (c->footer) fprintf(f, "\n%s", c->footer);
}
