/* libFuzzer: a model file through the host (host_load_model: Lua, the DSL,
 * graph building and checking). The host's sandbox (issue 28) bounds what a
 * model file can do; until a host has it, this harness adds the minimum a
 * fuzzer needs of its own: no os/io/package/load of files, text chunks only,
 * an instruction budget and an allocation cap, each added only where the host
 * has none (a hook already set, a state without os). */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "fuzz_file.h"
#include "host.h"

enum { INSTRUCTION_BUDGET = 20000000, HOOK_EVERY = 10000 };
static const size_t MEMORY_CAP = 256u << 20;

typedef struct { lua_Alloc inner; void *ud; long long used; long count; } Cap;   /* used: blocks of before the wrap are freed through it too */
static Cap cap;

static void *capped(void *ud, void *p, size_t osize, size_t nsize) {
  Cap *c = ud;
  size_t old = p ? osize : 0;
  if (nsize > old && c->used + (long long)(nsize - old) > (long long)MEMORY_CAP) return NULL;   /* Lua raises "not enough memory" */
  void *q = c->inner(c->ud, p, osize, nsize);
  if (q || nsize == 0) c->used += (long long)nsize - (long long)old;
  return q;
}

static void budget(lua_State *L, lua_Debug *ar) {
  (void)ar;
  if ((cap.count += HOOK_EVERY) > INSTRUCTION_BUDGET) luaL_error(L, "fuzz: instruction budget exhausted");
}

static const char *const unsafe =
  "if os then os = {clock = os.clock, time = os.time, date = os.date} end "
  "io = nil; dofile = nil; loadfile = nil; if package then package.loadlib = nil; package.cpath = '' end";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size && data[0] == 0x1b) return 0;   /* precompiled chunks: the sandbox refuses them (text only) */
  const char *path = fuzz_write("model.lua", data, size);
  Host *h = host_new();
  if (!h) return 0;
  lua_State *L = h->L;
  cap.count = 0;
  if (!lua_gethook(L)) lua_sethook(L, budget, LUA_MASKCOUNT, HOOK_EVERY);
  cap.inner = lua_getallocf(L, &cap.ud);
  cap.used = 0;
  lua_setallocf(L, capped, &cap);
  host_run_string(h, unsafe, "=fuzz");
  host_load_model(h, path);
  lua_setallocf(L, cap.inner, cap.ud);   /* the state's own blocks are freed by its allocator */
  host_free(h);
  return 0;
}
