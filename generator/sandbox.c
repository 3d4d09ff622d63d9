/* The model-file sandbox (sandbox.h): pure libraries only, the embedded DSL
 * as the only `require`-able code, text chunks only, and two limits that turn
 * a runaway file into a `path:line` error instead of a hang or an OOM kill. */
#include "sandbox.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

extern const struct embedded_lua {
  const char *name;
  const char *src;
  size_t len;
} embedded_lua[];

#define MIB (1024.0 * 1024.0)
/* how often (in VM instructions) the hook counts; the budget's granularity */
#define HOOK_EVERY 1000
/* allocations past the cap are let through up to this much more, so that the
 * hook can raise a normal error at the model's line at the next instruction */
#define SLACK ((size_t)64 << 20)
/* a block this large is never Lua's stack (at most LUAI_MAXSTACK slots), so the
 * call stack can be inspected safely while refusing it */
#define SAFE_TO_INSPECT ((size_t)32 << 20)

/* The sandbox of a state: kept in the state's extra space, not taken from the
 * allocator's userdata, which an embedder may wrap (tests/fuzz/fuzz_model.c). */
static Sandbox *sandbox_of(lua_State *L) { return *(Sandbox **)lua_getextraspace(L); }

int sandbox_user_frame(lua_State *L, const char **src) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.source[0] == '@' && ar.currentline > 0) {
      *src = ar.source + 1;
      return ar.currentline;
    }
  }
  *src = NULL;
  return 0;
}

static void limit_hit(Sandbox *sb, const char *fmt, double v) {
  if (sb->hit) return;
  sb->hit = 1;
  snprintf(sb->msg, sizeof sb->msg, fmt, v);
}

static void hook(lua_State *L, lua_Debug *ar);

/* Arms the hook to fire at the very next instruction (lua_sethook is safe anywhere). */
static void fire_soon(Sandbox *sb) {
  /* lua_sethook walks the whole call stack: only when the count changes */
  if (sb->L && lua_gethookcount(sb->L) != 1) lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);
}

static const char *memory_fmt =
    "model file used more than %.0f MiB of memory (the sandbox's limit; see docs/model_files.md)";

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Sandbox *sb = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    sb->used -= old;
    return NULL;
  }
  if (nsize > old) {
    size_t grow = nsize - old;
    if (grow > sb->cap + SLACK || sb->used + grow > sb->cap + SLACK) {
      /* Lua raises LUA_ERRMEM, which skips the message handler: note where we are */
      if (!sb->hit && sb->L && grow >= SAFE_TO_INSPECT) {
        const char *src;
        int line = sandbox_user_frame(sb->L, &src);
        if (src) snprintf(sb->where, sizeof sb->where, "%s:%d", src, line);
      }
      limit_hit(sb, memory_fmt, sb->cap / MIB);
      fire_soon(sb);
      return NULL;
    }
    if (sb->used + grow > sb->cap) fire_soon(sb);
  }
  void *p = realloc(ptr, nsize);
  if (p) sb->used = sb->used - old + nsize;
  if (sb->used > sb->peak) sb->peak = sb->used;
  return p;
}

/* Counts instructions and raises the limits' errors at an instruction boundary,
 * where the model file's line is known (the message handler prefixes it). */
static void hook(lua_State *L, lua_Debug *ar) {
  Sandbox *sb = sandbox_of(L);
  if (sb->used > sb->cap) limit_hit(sb, memory_fmt, sb->cap / MIB); /* garbage not yet collected counts */
  sb->ran += HOOK_EVERY;
  if (ar->event == LUA_HOOKCOUNT && lua_getinfo(L, "Sl", ar) && ar->source[0] == '@' && ar->currentline > 0)
    sb->last_line = ar->currentline; /* for the watchdog's last resort */
  if (sb->timed_out)
    limit_hit(sb, "model file ran for more than %.0f seconds (the sandbox's limit; see docs/model_files.md)",
              sb->seconds);
  if (sb->ran > sb->budget)
    limit_hit(sb,
              "model file ran more than %.0f Lua instructions (an endless loop? the sandbox's limit; see "
              "docs/model_files.md)",
              (double)sb->budget);
  if (lua_gethookcount(L) != HOOK_EVERY) lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY); /* after fire_soon */
  if (sb->hit) {
    lua_pushstring(L, sb->msg);
    lua_error(L);
  }
}

/* ---------- the watchdog: wall-clock time, also inside C library calls ---------- */

static Sandbox *watched;   /* the sandbox whose file is running (one at a time) */
static char late_msg[700]; /* written by the signal handler: preformatted */

static void arm(double seconds, struct itimerval *old) {
  struct itimerval t = {{0, 0}, {(time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6)}};
  setitimer(ITIMER_REAL, &t, old);
}

/* First expiry: ask the hook to stop the file at its next instruction. If the
 * file is stuck inside one C call (a pathological string pattern), the hook
 * never runs: the second expiry ends the process with the message. */
static void on_alarm(int sig) {
  (void)sig;
  Sandbox *sb = watched;
  if (!sb) return;
  if (!sb->timed_out) {
    sb->timed_out = 1;
    lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);     /* safe in a signal handler */
    arm(sb->seconds < 1 ? sb->seconds : 1.0, NULL); /* grace for the hook */
    return;
  }
  char line[16];
  int n = 0, v = sb->last_line > 0 ? sb->last_line : 1;
  char digits[16];
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v && n < 15);
  for (int i = 0; i < n; i++) line[i] = digits[n - 1 - i];
  line[n] = 0;
  if (write(2, sb->late_path, strlen(sb->late_path)) < 0 || write(2, ":", 1) < 0 || write(2, line, strlen(line)) < 0 ||
      write(2, late_msg, strlen(late_msg)) < 0)
    _exit(2);
  _exit(2);
}

void sandbox_watch(Sandbox *sb, const char *path) {
  snprintf(sb->late_path, sizeof sb->late_path, "%s", path ? path : "?");
  snprintf(late_msg, sizeof late_msg,
           ": model file ran for more than %.0f seconds, stuck in a library call "
           "(a pathological string pattern?); stopped (the sandbox's limit; see docs/model_files.md)\n",
           sb->seconds);
  sb->timed_out = 0;
  sb->last_line = 0;
  watched = sb;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, &sb->old_alarm);
  arm(sb->seconds, &sb->old_timer);
}

/* Puts back the embedder's handler and timer (a fuzzer's timeout uses them). */
void sandbox_unwatch(Sandbox *sb) {
  setitimer(ITIMER_REAL, &sb->old_timer, NULL);
  sigaction(SIGALRM, &sb->old_alarm, NULL);
  watched = NULL;
}

/* load(chunk, name, mode, env) with mode forced to "t": no bytecode */
static int safe_load(lua_State *L) {
  if (lua_gettop(L) < 3) lua_settop(L, 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* pcall/xpcall that cannot swallow a limit: once hit, the file is stopped */
static int guarded_call(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  Sandbox *sb = sandbox_of(L);
  if (sb->hit) {
    lua_pushstring(L, sb->msg);
    return lua_error(L);
  }
  return lua_gettop(L);
}

/* require: the embedded DSL library and nothing else (no file system, no C modules) */
static int embedded_require(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, name) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  for (int i = 0; embedded_lua[i].name; i++) {
    if (strcmp(embedded_lua[i].name, name)) continue;
    char chunk[128];
    snprintf(chunk, sizeof chunk, "=%s", name);
    /* trusted bytecode from build/lua_bytecode.c; model files stay text-only */
    if (luaL_loadbufferx(L, embedded_lua[i].src, embedded_lua[i].len, chunk, "b")) return lua_error(L);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
    return 1;
  }
  return luaL_error(L,
                    "require '%s': model files can require only the DSL's own modules "
                    "(no files, no C libraries; see docs/model_files.md)",
                    name);
}

static void wrap_global(lua_State *L, const char *name, lua_CFunction f) {
  lua_getglobal(L, name);
  lua_pushcclosure(L, f, 1);
  lua_setglobal(L, name);
}

static void open_libs(lua_State *L) {
  static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
                                  {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
                                  {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
  for (const luaL_Reg *l = libs; l->func; l++) {
    luaL_requiref(L, l->name, l->func, 1);
    lua_pop(L, 1);
  }
  /* no io, os, package, debug, coroutine; from base no file access */
  lua_pushnil(L);
  lua_setglobal(L, "dofile");
  lua_pushnil(L);
  lua_setglobal(L, "loadfile");
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  wrap_global(L, "load", safe_load);
  wrap_global(L, "pcall", guarded_call);
  wrap_global(L, "xpcall", guarded_call);
  lua_pushcfunction(L, embedded_require);
  lua_setglobal(L, "require");
}

static double env_number(const char *name, double dflt) {
  const char *s = getenv(name);
  char *end;
  double v = s ? strtod(s, &end) : 0;
  if (!s || end == s || *end || !(v >= 1)) return dflt;
  return v;
}

Sandbox *sandbox_open(void) {
  Sandbox *sb = calloc(1, sizeof *sb);
  if (!sb) return NULL;
  sb->cap = (size_t)(env_number("EBMFORGE_LUA_MAX_MIB", SANDBOX_DEFAULT_MIB) * MIB);
  sb->budget = (long long)env_number("EBMFORGE_LUA_MAX_INSTRUCTIONS", (double)SANDBOX_DEFAULT_INSTRUCTIONS);
  sb->seconds = env_number("EBMFORGE_LUA_MAX_SECONDS", SANDBOX_DEFAULT_SECONDS);
  lua_State *L = lua_newstate(capped_alloc, sb);
  if (!L) {
    free(sb);
    return NULL;
  }
  sb->L = L;
  *(Sandbox **)lua_getextraspace(L) = sb;
  open_libs(L);
  lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
  return sb;
}

void sandbox_close(Sandbox *sb) {
  if (!sb) return;
  if (sb->L) lua_close(sb->L);
  free(sb);
}

void sandbox_reset_budget(Sandbox *sb) {
  sb->ran = 0;
  sb->hit = 0;
  sb->where[0] = 0;
}

void sandbox_charge(lua_State *L, long long instructions) {
  Sandbox *sb = sandbox_of(L);
  sb->ran += instructions;
  if (sb->ran > sb->budget) fire_soon(sb); /* the hook raises it at the model's line */
}

int sandbox_load_file(lua_State *L, const char *path) {
  int rc = luaL_loadfilex(L, path, "t");
  if (rc == LUA_ERRSYNTAX && strstr(lua_tostring(L, -1), "binary chunk")) {
    lua_pop(L, 1);
    lua_pushfstring(L, "%s:1: precompiled Lua bytecode is refused: a model file must be Lua source text", path);
  }
  return rc;
}

const char *sandbox_error(Sandbox *sb, int rc, const char *path) {
  if (rc == LUA_ERRMEM && sb->hit) {
    static char buf[1024];
    if (sb->where[0])
      snprintf(buf, sizeof buf, "%s: %s", sb->where, sb->msg);
    else
      snprintf(buf, sizeof buf, "%s:1: %s (at a line not known)", path ? path : "?", sb->msg);
    return buf;
  }
  if (rc == LUA_ERRMEM) { /* the machine, not the sandbox, ran out */
    static char buf[600];
    snprintf(buf, sizeof buf, "%s:1: out of memory while running the file", path ? path : "?");
    return buf;
  }
  if (rc == LUA_ERRERR) { /* the message handler failed (an error object whose __tostring raises) */
    static char buf[600];
    snprintf(buf, sizeof buf, "%s:1: the file raised an error that cannot be reported (a failing __tostring?)",
             path ? path : "?");
    return buf;
  }
  const char *msg = lua_tostring(sb->L, -1);
  return msg ? msg : "unknown error";
}
