#include "host_data.h"

#include <errno.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

static int fail(lua_State *L, const char *msg) {
  lua_pushnil(L);
  lua_pushstring(L, msg);
  return 2;
}

static int l_npy_data(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  char joined[PATH_MAX * 2], abs[PATH_MAX], err[PATH_MAX * 3];
  /* relative paths are the model file's neighbours, wherever ebmforge runs */
  lua_getglobal(L, "__model_path");
  const char *model = lua_tostring(L, -1);
  const char *slash = model ? strrchr(model, '/') : NULL;
  if (name[0] == '/' || !slash)
    snprintf(joined, sizeof joined, "%s", name);
  else
    snprintf(joined, sizeof joined, "%.*s/%s", (int)(slash - model), model, name);
  lua_pop(L, 1);
  if (!realpath(joined, abs)) {
    snprintf(err, sizeof err, "data file '%s' (%s): %s", name, joined, strerror(errno));
    return fail(L, err);
  }
  int rank, f64;
  int64_t shape[NPY_MAX_RANK];
  if (npy_read_header(abs, &rank, shape, &f64, err, sizeof err)) return fail(L, err);
  if (rank != 2 || shape[0] < 1 || shape[1] < 1) {
    snprintf(err, sizeof err, "data file '%s' has rank %d (expected an [N, D] array of points, N, D >= 1)", name, rank);
    return fail(L, err);
  }
  lua_pushstring(L, abs);
  lua_pushinteger(L, (lua_Integer)shape[1]);
  lua_pushinteger(L, (lua_Integer)shape[0]);
  return 3;
}

void host_data_open(lua_State *L) {
  lua_getglobal(L, "ebm");
  lua_pushcfunction(L, l_npy_data);
  lua_setfield(L, -2, "npy_data");
  lua_pop(L, 1);
}
