/* The sandbox every model (and study) file runs in: a Lua state with only
 * the pure libraries (base without dofile/loadfile and with text-only `load`,
 * string without dump, table, math, utf8), `require` of the embedded DSL
 * library only, text chunks only, a capped allocator and an instruction
 * budget. Checking a model file someone sent must be safe (docs/model_files.md). */
#ifndef EBM_SANDBOX_H
#define EBM_SANDBOX_H

#include <signal.h>
#include <stddef.h>
#include <sys/time.h>

typedef struct lua_State lua_State;

/* Defaults, measured with `EBMFORGE_LUA_STATS=1 ebmforge check` on every model
 * of models/, tests/parity_models, tests/diff_models and tests/mpi: the most any
 * uses is 0.4 MiB of Lua memory (the DSL library included) and 190,000
 * instructions per load (autodiff's charge included; sigma_min_wide). The
 * limits leave a margin of over 500x and still stop a runaway file within about
 * two seconds. EBMFORGE_LUA_MAX_MIB and EBMFORGE_LUA_MAX_INSTRUCTIONS override
 * them (a legitimately huge file, or a quick test of the limits). */
#define SANDBOX_DEFAULT_MIB 256
#define SANDBOX_DEFAULT_INSTRUCTIONS 100000000LL
/* Wall-clock time of one load (the slowest shipped model loads in 0.05 s); it
 * also stops a file stuck inside one C call. EBMFORGE_LUA_MAX_SECONDS overrides. */
#define SANDBOX_DEFAULT_SECONDS 30

typedef struct Sandbox {
  size_t used, cap;      /* bytes the Lua state holds, and the most it may */
  size_t peak;           /* the most it held so far */
  long long ran, budget; /* VM instructions counted since the last reset, and the most allowed */
  int hit;               /* a limit stopped the file: it stays stopped (pcall cannot catch it) */
  char msg[256];         /* the limit's message, once hit */
  char where[512];       /* "path:line" of a refused large allocation, if known */
  double seconds;        /* wall-clock limit of one watched run */
  volatile sig_atomic_t timed_out;
  int last_line; /* the model file's line the hook saw last */
  char late_path[512];
  struct sigaction old_alarm;
  struct itimerval old_timer;
  lua_State *L;
} Sandbox;

/* A new sandboxed state (limits from the defaults or the environment), or NULL
 * when not even the empty state fits. Free with sandbox_close. */
Sandbox *sandbox_open(void);
void sandbox_close(Sandbox *sb);
/* Starts a fresh budget (each model file load gets its own) and forgets a limit hit before. */
void sandbox_reset_budget(Sandbox *sb);
/* Counts work done in C on the Lua side's behalf (autodiff walks the graph)
 * against the instruction budget. */
void sandbox_charge(lua_State *L, long long instructions);
/* Starts and stops the wall-clock limit around running a file (path: for the
 * message). Uses SIGALRM; one watched run at a time. */
void sandbox_watch(Sandbox *sb, const char *path);
void sandbox_unwatch(Sandbox *sb);
/* Loads a file as Lua source text: precompiled chunks are refused. 0 or a
 * Lua status with the message on the stack (always "path:line: ..."). */
int sandbox_load_file(lua_State *L, const char *path);
/* The message for status `rc` of a protected call whose error value is on
 * top of the stack: memory errors skip Lua's message handler, so they are
 * given their position here. Returns a string owned by the sandbox or Lua. */
const char *sandbox_error(Sandbox *sb, int rc, const char *path);
/* Innermost frame running a user file (chunk name "@path"); 0 if none. */
int sandbox_user_frame(lua_State *L, const char **src);

#endif
