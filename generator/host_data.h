/* What the DSL learns about a model's data file at build time: `data =
 * "points.npy"` in a model file names a float32/float64 [N, D] array whose D
 * becomes the model's input width. */
#ifndef EBM_HOST_DATA_H
#define EBM_HOST_DATA_H

typedef struct lua_State lua_State;

/* Adds ebm.npy_data(path) to the `ebm` table: the path resolved against the
 * directory of the model file being loaded (global __model_path), made
 * absolute, then the rows N and columns D of its header; or nil and a reason. */
void host_data_open(lua_State *L);

#endif
