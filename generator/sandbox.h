/* The sandbox every model (and study) file runs in: a Lua state with only
 * the pure libraries (base without dofile/loadfile and with text-only `load`,
 * string without dump, table, math, utf8), `require` of the embedded DSL
 * library only, text chunks only, a capped allocator and an instruction
 * budget. Checking a model file someone sent must be safe (docs/model_files.md). */
#ifndef EBM_SANDBOX_H
#define EBM_SANDBOX_H

#include <stddef.h>

typedef struct lua_State lua_State;

/* Defaults, measured with `EBMFORGE_LUA_STATS=1 ebmforge check` on every model
 * of models/, tests/parity_models and tests/diff_models: the most any uses is
 * about 9 MiB of Lua memory and 3.5 million instructions per load (fmnist_ddaebm),
 * so these leave a margin of two orders of magnitude and still stop a runaway
 * file within seconds. EBMFORGE_LUA_MAX_MIB and EBMFORGE_LUA_MAX_INSTRUCTIONS
 * override them (for a legitimately huge file, or a quick test of the limits). */
#define SANDBOX_DEFAULT_MIB 1024
#define SANDBOX_DEFAULT_INSTRUCTIONS 1000000000LL

typedef struct Sandbox {
  size_t used, cap;          /* bytes the Lua state holds, and the most it may */
  size_t peak;               /* the most it held so far */
  long long ran, budget;     /* VM instructions counted since the last reset, and the most allowed */
  int hit;                   /* a limit stopped the file: it stays stopped (pcall cannot catch it) */
  char msg[256];             /* the limit's message, once hit */
  char where[512];           /* "path:line" of a refused large allocation, if known */
  lua_State *L;
} Sandbox;

/* A new sandboxed state (limits from the defaults or the environment), or NULL
 * when not even the empty state fits. Free with sandbox_close. */
Sandbox *sandbox_open(void);
void sandbox_close(Sandbox *sb);
/* Starts a fresh instruction budget (each model file load gets its own). */
void sandbox_reset_budget(Sandbox *sb);
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
