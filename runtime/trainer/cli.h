/* The trainers' command-line parser. Each command declares its options once,
 * in a table; the same table parses argv, checks every value and prints
 * `--help`, so the help text cannot drift from what is accepted.
 * Depends on nothing of the trainer: the commands depend on it. */
#ifndef EBM_CLI_H
#define EBM_CLI_H

#include <stdio.h>

extern const char *prog;    /* argv[0]'s last component, for messages */
extern const char *command; /* the running command ("train", "sample", ...) */

typedef enum {
  CLI_FLAG,   /* int *: set to 1, takes no value */
  CLI_LONG,   /* long *: a whole decimal number in lo..hi (both ends included) */
  CLI_DOUBLE, /* double *: a decimal number in (lo, hi) (both ends excluded) */
  CLI_STRING, /* const char **: the value as given (a path, a name) */
  CLI_LIST,   /* CliList *: every value, in order (the option is repeatable) */
} CliKind;

typedef struct {
  const char **items;
  int n;
} CliList;

#define CLI_NO_MAX 1e300 /* hi of a number without an upper bound */

typedef struct {
  const char *name; /* "--iters", "-n" */
  CliKind kind;
  void *dest;       /* holds the default before parsing; see CliKind for its type */
  const char *meta; /* the value's name in help ("N", "DIR"); NULL for flags */
  double lo, hi;    /* numbers: the valid range */
  const char *help; /* what it does, one line (wrapped when printed) */
  /* help's "(default ...)": NULL shows *dest (numbers, non-NULL strings),
   * "" shows nothing, anything else is shown as written */
  const char *dflt;
  int required; /* parsing fails without it */
} CliOpt;

/* Table rows. Extra designated fields may follow, e.g. .required = 1 or
 * .dflt = "the run's seed". The conditional checks the destination's type. */
#define CLI_DEST(T, d) ((void *)(1 ? (d) : (T *)0))
#define OPT_FLAG(nm, d, h, ...) \
  { .name = nm, .kind = CLI_FLAG, .dest = CLI_DEST(int, d), .help = h, __VA_ARGS__ }
#define OPT_LONG(nm, d, m, l, u, h, ...) \
  { .name = nm, .kind = CLI_LONG, .dest = CLI_DEST(long, d), .meta = m, .lo = l, .hi = u, .help = h, __VA_ARGS__ }
#define OPT_DOUBLE(nm, d, m, l, u, h, ...) \
  { .name = nm, .kind = CLI_DOUBLE, .dest = CLI_DEST(double, d), .meta = m, .lo = l, .hi = u, .help = h, __VA_ARGS__ }
#define OPT_STRING(nm, d, m, h, ...) \
  { .name = nm, .kind = CLI_STRING, .dest = CLI_DEST(const char *, d), .meta = m, .help = h, __VA_ARGS__ }
#define OPT_LIST(nm, d, m, h, ...) \
  { .name = nm, .kind = CLI_LIST, .dest = CLI_DEST(CliList, d), .meta = m, .help = h, __VA_ARGS__ }
#define OPT_END \
  { .name = NULL }

typedef struct {
  const char *name;   /* the command, as typed */
  const char *about;  /* paragraphs between the usage line and the options */
  const CliOpt *opts; /* ends with an entry whose name is NULL */
  const char *footer; /* after the options, or NULL */
} CliCommand;

enum { CLI_OK = 0, CLI_HELP = 1, CLI_BAD = 2 };

/* Fills the options' destinations from argv (the command's arguments only).
 * CLI_HELP: -h or --help was among them and the help is printed on stdout
 * (the caller may add to it, then exits 0). CLI_BAD: a message naming the
 * argument is printed on stderr (exit 2). */
int cli_parse(const CliCommand *c, int argc, char **argv);
/* The usage line, the about text, every option and the footer. */
void cli_help(FILE *f, const CliCommand *c);
/* Prints "prog: msg (see prog command --help)" on stderr; returns 2. */
int bad(const char *msg);
/* printf-style bad() */
int badf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
