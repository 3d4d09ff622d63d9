/* The command-line parser (runtime/cli.c) beyond what the trainers use:
 * positional arguments (one, then the rest), a value checked by its own
 * function, a typo's nearest option, the help of arguments, and a program of
 * several commands (cli_dispatch). Messages are read back from stderr. */
#include "cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char err[2000]; /* what the last CAPTURE printed on stderr */
static int saved_out, saved_err;

/* stderr into a file, stdout (help) into /dev/null, until capture_end */
static void capture_begin(void) {
  fflush(stdout), fflush(stderr);
  saved_out = dup(1), saved_err = dup(2);
  int fd = open(test_path("err.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644), null = open("/dev/null", O_WRONLY);
  dup2(fd, 2), dup2(null, 1);
  close(fd), close(null);
}

static int capture_end(int rc) {
  fflush(stdout), fflush(stderr);
  dup2(saved_out, 1), dup2(saved_err, 2);
  close(saved_out), close(saved_err);
  FILE *f = fopen(test_path("err.txt"), "r");
  size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
  err[n] = 0;
  if (f) fclose(f);
  return rc;
}

/* the call's result, with what it printed on stderr in err */
#define CAPTURE(call) (capture_begin(), capture_end(call))

static int abc(const char *s, void *dest) { /* "a", "b" or "c" as 0, 1, 2 */
  if (strlen(s) != 1 || s[0] < 'a' || s[0] > 'c') return -1;
  *(int *)dest = s[0] - 'a';
  return 0;
}

static const char *in;
static CliList rest;
static long n;
static int fmt;
static const CliOpt opts[] = {
    ARG_STRING("IN", &in, "the input", .required = 1),
    ARG_LIST("REST", &rest, "the others"),
    OPT_LONG("-n", &n, "N", 1, 10, "how many"),
    OPT_PARSED("--fmt", &fmt, "F", abc, "a, b or c", "the format", .dflt = "a"),
    OPT_END,
};
static const CliCommand cmd = {"t", "About t.\n", opts, NULL};

static int parse(int argc, const char **argv) {
  in = NULL, rest = (CliList){0}, n = 5, fmt = 0;
  return CAPTURE(cli_parse(&cmd, argc, (char **)argv));
}

static int ran, ran_argc;
static int run_one(int argc, char **argv) { return ran = 1, ran_argc = argc, 0; }
static int run_two(int argc, char **argv) { return ran = 2, ran_argc = argc, 7; }

int main(void) {
  const char *ok[] = {"x", "-n", "3", "y", "--fmt", "b", "z"};
  CHECK(parse(7, ok) == CLI_OK, "arguments among options: %s", err);
  CHECK(in && !strcmp(in, "x") && n == 3 && fmt == 1, "IN x, -n 3, --fmt b");
  CHECK(rest.n == 2 && !strcmp(rest.items[0], "y") && !strcmp(rest.items[1], "z"), "REST y z in order");

  const char *none[] = {"-n", "3"};
  CHECK(parse(2, none) == CLI_BAD && strstr(err, "t needs IN"), "a required argument: %s", err);
  const char *bad_fmt[] = {"x", "--fmt", "d"};
  CHECK(parse(3, bad_fmt) == CLI_BAD && strstr(err, "--fmt needs a, b or c, not 'd'"), "the parser's values: %s", err);
  const char *range[] = {"x", "-n", "11"};
  CHECK(parse(3, range) == CLI_BAD && strstr(err, "-n needs an integer in 1..10, not '11'"), "a range: %s", err);
  const char *typo[] = {"x", "-m", "3"};
  CHECK(parse(3, typo) == CLI_BAD && strstr(err, "unknown option '-m'; did you mean -n?"), "a typo: %s", err);
  const char *help[] = {"x", "--bogus", "-h"};
  CHECK(parse(3, help) == CLI_HELP, "-h wins over a bad option");

  static const char *one;
  const CliOpt one_opts[] = {ARG_STRING("IN", &one, "the input"), OPT_END};
  const CliCommand one_cmd = {"one", NULL, one_opts, NULL};
  const char *two_args[] = {"x", "y"};
  CHECK(
      CAPTURE(cli_parse(&one_cmd, 2, (char **)two_args)) == CLI_BAD && strstr(err, "unexpected argument 'y' after IN"),
      "one argument too many: %s", err);
  const CliOpt no_opts[] = {OPT_END};
  const CliCommand bare = {"bare", NULL, no_opts, NULL};
  CHECK(CAPTURE(cli_parse(&bare, 1, (char **)two_args)) == CLI_BAD && strstr(err, "bare takes options only"),
        "a word for a command without arguments: %s", err);

  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  n = 5;
  cli_help(f, &cmd);
  fclose(f);
  CHECK(strstr(text, "usage: ebmforge t IN [REST]... [-n N] [--fmt F]\n"), "the usage line: %s", text);
  CHECK(strstr(text, "\narguments:\n  IN ") && strstr(text, "\n  REST "), "the arguments listed: %s", text);
  CHECK(strstr(text, "the format (a, b or c, default a)"), "a parsed option's values and default: %s", text);
  CHECK(strstr(text, "how many (an integer in 1..10, default 5)"), "a number's range and default: %s", text);
  free(text);

  const CliSub subs[] = {{"one", run_one, "IN", "the first"}, {"two", run_two, NULL, "the second"}, {0}};
  const CliMenu menu = {"A program.\n", subs, NULL};
  const char *call[] = {"prog", "two", "a", "b"};
  CHECK(CAPTURE(cli_dispatch(&menu, 4, (char **)call)) == 7 && ran == 2 && ran_argc == 2,
        "the command named, with its arguments, and its exit code");
  CHECK(!strcmp(command, "two"), "the running command is known to messages");
  const char *typo_cmd[] = {"prog", "twp"};
  CHECK(CAPTURE(cli_dispatch(&menu, 2, (char **)typo_cmd)) == CLI_BAD &&
            strstr(err, "unknown command 'twp'; did you mean two?"),
        "an unknown command: %s", err);
  CHECK(CAPTURE(cli_dispatch(&menu, 1, (char **)call)) == CLI_BAD && strstr(err, "usage: ebmforge <command>") &&
            strstr(err, "  one IN  "),
        "no command: the help on stderr: %s", err);
  const char *help_cmd[] = {"prog", "--help"};
  CHECK(CAPTURE(cli_dispatch(&menu, 2, (char **)help_cmd)) == CLI_OK && !*err, "--help: exit 0, nothing on stderr");
  return report();
}
