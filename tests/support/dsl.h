/* Test helpers for DSL snippets: load Lua code, find tensors and variables. */
#ifndef EBM_TEST_DSL_H
#define EBM_TEST_DSL_H

#include "host.h"

Host *dsl_load(const char *code);               /* exits on error */
int dsl_tensor(Host *h, const char *global);    /* node id of a global tensor, exits if absent */
int dsl_var(Host *h, const char *name);         /* variable id by name, exits if absent */

#endif
