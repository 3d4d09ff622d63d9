/* The command-line parser of the trainers and of ebmforge. Each command
 * declares its options and arguments once, in a table; the same table parses
 * argv, checks every value and prints `--help`, so the help text cannot drift
 * from what is accepted. A program of several commands dispatches to them
 * through a CliMenu. Depends on nothing of the trainer or the host. */
#ifndef EBM_CLI_H
#define EBM_CLI_H

#include <stdio.h>

extern const char *prog;    /* the program in messages: "ebmforge" unless set (trainers: argv[0]'s last component) */
extern const char *command; /* the running command ("train", "plot", ...); cli_parse sets it */

typedef enum {
  CLI_FLAG,   /* int *: set to 1, takes no value */
  CLI_LONG,   /* long *: a whole decimal number in lo..hi (both ends included) */
  CLI_DOUBLE, /* double *: a decimal number in (lo, hi) (both ends excluded) */
  CLI_STRING, /* const char **: the value as given (a path, a name) */
  CLI_LIST,   /* CliList *: every value, in order (the option is repeatable) */
  CLI_PARSED, /* any type: .parse converts and checks the value; .want says what it takes */
} CliKind;

/* CLI_PARSED's converter: 0 with *dest set, or -1 when the value is not one it takes */
typedef int (*CliParseFn)(const char *value, void *dest);

typedef struct {
  const char **items;
  int n;
} CliList;

#define CLI_NO_MAX 1e300 /* hi of a number without an upper bound */

/* A row whose name does not start with '-' is a positional argument (ARG_*):
 * the name is what help calls it ("MODEL.lua"); bare words fill these rows in
 * order, a CLI_LIST row taking all the remaining ones. */
typedef struct {
  const char *name; /* "--iters", "-n"; "MODEL.lua" for an argument */
  CliKind kind;
  void *dest;       /* holds the default before parsing; see CliKind for its type */
  const char *meta; /* the value's name in help ("N", "DIR"); NULL for flags */
  double lo, hi;    /* numbers: the valid range */
  const char *help; /* what it does, one line (wrapped when printed) */
  /* help's "(default ...)": NULL shows *dest (numbers, non-NULL strings),
   * "" shows nothing, anything else is shown as written */
  const char *dflt;
  int required;     /* parsing fails without it */
  CliParseFn parse; /* CLI_PARSED: the converter */
  const char *want; /* CLI_PARSED: the values it takes, for messages and help ("png, pdf or svg") */
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
#define OPT_PARSED(nm, d, m, fn, w, h, ...) \
  { .name = nm, .kind = CLI_PARSED, .dest = d, .meta = m, .parse = fn, .want = w, .help = h, __VA_ARGS__ }
#define ARG_STRING(nm, d, h, ...) \
  { .name = nm, .kind = CLI_STRING, .dest = CLI_DEST(const char *, d), .help = h, __VA_ARGS__ }
#define ARG_LIST(nm, d, h, ...) \
  { .name = nm, .kind = CLI_LIST, .dest = CLI_DEST(CliList, d), .help = h, __VA_ARGS__ }
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
/* A program of several commands: `prog COMMAND ARGS...` */
typedef struct {
  const char *name;                  /* as typed */
  int (*run)(int argc, char **argv); /* given the command's arguments only */
  const char *args;                  /* what follows the name in the list ("MODEL.lua"), or NULL */
  const char *summary;               /* its entry in the program's help (wrapped) */
} CliSub;

typedef struct {
  const char *about;  /* paragraphs between the usage line and the commands */
  const CliSub *subs; /* ends with an entry whose name is NULL */
  const char *footer; /* after the commands, or NULL */
} CliMenu;

/* Runs the command argv[1] names with the arguments after it and returns its
 * exit code. -h, --help or help: the menu's help on stdout (0); no command:
 * the help on stderr (2); an unknown command: a message naming it (2). */
int cli_dispatch(const CliMenu *m, int argc, char **argv);
/* The usage line, the about text, every command and the footer. */
void cli_menu_help(FILE *f, const CliMenu *m);
/* Prints "prog: msg (see prog command --help)" on stderr; returns 2. */
int bad(const char *msg);
/* printf-style bad() */
int badf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
