/* Private to the Lua front end (host.c, host_ops.c, host_program.c): what every binding of
 * the `ebm` module uses. Not for other files. */
#ifndef EBM_HOST_PRIV_H
#define EBM_HOST_PRIV_H

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

#define TENSOR_MT "ebm.Tensor"
typedef struct {
  int id;
} LTensor;

/* short names for the bindings' readability, external symbols with a prefix */
#define H host_priv_active
#define stamp_line host_priv_stamp_line
#define fail host_priv_fail
#define scratch host_priv_scratch
#define int_arg host_priv_int_arg
#define opt_int_arg host_priv_opt_int_arg
#define push_tensor host_priv_push_tensor
#define is_tensor host_priv_is_tensor
#define tensor_at host_priv_tensor_at
#define node_shape host_priv_node_shape
#define read_shape host_priv_read_shape
#define sstr host_priv_sstr
#define check_name host_priv_check_name
#define finite_arg host_priv_finite_arg
#define l_transpose host_priv_transpose

extern Host *H;                               /* the host whose Lua state is running */
void stamp_line(lua_State *L);                /* new nodes carry the model file's current line */
int fail(lua_State *L, const char *fmt, ...); /* raises the message (never returns) */
/* Scratch memory owned by Lua (a userdata pushed on the stack): the collector
 * frees it even when an error longjmps out of the binding, so nothing leaks. */
void *scratch(lua_State *L, size_t n);
/* Integer argument idx in [lo, hi], checked before it is narrowed to int. */
int int_arg(lua_State *L, int idx, lua_Integer lo, lua_Integer hi, const char *what);
int opt_int_arg(lua_State *L, int idx, int dflt, lua_Integer lo, lua_Integer hi, const char *what);
void push_tensor(lua_State *L, int id);
int is_tensor(lua_State *L, int idx);
int tensor_at(lua_State *L, int idx); /* node id of the tensor argument, or raises */
Shape node_shape(int id);
Shape read_shape(lua_State *L, int idx); /* an integer or a list of them, each positive and bounded */
const char *sstr(Shape s, char *buf);    /* buf of 64 chars */
/* s if it is a valid name of a variable, phase, log, optimiser or entry (`what`), or raises */
const char *check_name(lua_State *L, const char *s, const char *what);
double finite_arg(lua_State *L, int idx, const char *what); /* a finite number, or raises */

int l_transpose(lua_State *L); /* also x.T */
extern const luaL_Reg host_ops_funcs[];
extern const luaL_Reg host_program_funcs[];

#endif
