/* Precompiled Lua bytecode never reaches the VM (mutated bytecode crashed the
 * host): as the model file itself, whole or mutated, and through `load` of
 * a model file. The bytecode is made here with lua_dump, so no luac is needed.
 * Each case runs `ebmforge check` (exit 2, a `path:1:` message, no signal)
 * and the host API. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "host.h"

static const char *model_src = "model { name = 'bytecode', method = 'mle-langevin', data = '25gaussians' }\n";

static int writer(lua_State *L, const void *p, size_t n, void *ud) {
  (void)L;
  return fwrite(p, 1, n, ud) != n;
}

/* bytecode of model_src into buf (malloc'd), its length returned */
static size_t dump(unsigned char **buf) {
  lua_State *L = luaL_newstate();
  char *mem = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&mem, &len);
  if (luaL_loadstring(L, model_src) || lua_dump(L, writer, f, 0)) {
    fprintf(stderr, "cannot dump\n");
    exit(1);
  }
  fclose(f);
  lua_close(L);
  *buf = (unsigned char *)mem;
  return len;
}

static void write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

/* `ebmforge check path` exits 2 with a first stderr line "path:1: ...text..." */
static void expect_refused(const char *label, const char *path, const char *text) {
  char cmd[4096], line[1024] = "";
  const char *err = test_path("stderr.txt");
  snprintf(cmd, sizeof cmd, "'%s' check '%s' >/dev/null 2>'%s'", EBMFORGE_BIN, path, err);
  int st = system(cmd);
  FILE *f = fopen(err, "r");
  if (f) {
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
  }
  char want[1100];
  snprintf(want, sizeof want, "%s:1:", path);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: exit status %d (signal %d), expected 2", label,
        WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  CHECK(!strncmp(line, want, strlen(want)) && strstr(line, text), "%s: stderr '%s' lacks '%s ... %s'", label, line,
        want, text);
  Host *h = host_new();
  int rc = host_load_model(h, path);
  CHECK(rc == 2 && h->error && strstr(h->error, text), "%s: host_load_model gave %d '%s'", label, rc,
        h->error ? h->error : "");
  host_free(h);
}

int main(void) {
  unsigned char *bc;
  size_t n = dump(&bc);

  /* the text itself loads (so the refusals below are about bytecode only) */
  char text_path[1024];
  snprintf(text_path, sizeof text_path, "%s", test_path("text_model.lua"));
  write_file(text_path, model_src, strlen(model_src));
  Host *h = host_new();
  CHECK(host_load_model(h, text_path) == 0, "the model as text loads: %s", h->error ? h->error : "");
  host_free(h);

  char path[1024]; /* test_path's buffers rotate: keep a copy */
  snprintf(path, sizeof path, "%s", test_path("bytecode_model.lua"));
  write_file(path, bc, n);
  expect_refused("bytecode model file", path, "precompiled Lua bytecode is refused");

  /* mutations anywhere past the signature byte, the kind that crashed the host */
  srand(28);
  for (int k = 0; k < 20; k++) {
    unsigned char *m = malloc(n);
    memcpy(m, bc, n);
    for (int j = 0; j < 4; j++) m[1 + rand() % (n - 1)] ^= (unsigned char)(1 + rand() % 255);
    size_t len = k % 4 == 3 ? 1 + rand() % n : n; /* some truncated too */
    write_file(path, m, len);
    char label[64];
    snprintf(label, sizeof label, "mutated bytecode #%d", k);
    expect_refused(label, path, "precompiled Lua bytecode is refused");
    free(m);
  }

  /* load() of the genuine bytecode inside a text model file */
  char *src = malloc(8 * n + 64), *p = src;
  p += sprintf(p, "local f = assert(load(\"");
  for (size_t i = 0; i < n; i++) p += sprintf(p, "\\%03u", bc[i]);
  sprintf(p, "\"))\n");
  char loader[1024];
  snprintf(loader, sizeof loader, "%s", test_path("load_bytecode.lua"));
  write_file(loader, src, strlen(src));
  expect_refused("load() of bytecode", loader, "attempt to load a binary chunk");
  free(src);
  free(bc);
  return report();
}
