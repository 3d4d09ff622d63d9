/* A trained model's variables from a checkpoint: what sample, energy, eval
 * and fd start from. */
#ifndef EBM_CKPT_LOAD_H
#define EBM_CKPT_LOAD_H

#include "model.h"

/* s <- the checkpoint at ckpt (its seed included); 0, or 2 with the reason on stderr */
int load_state(const char *ckpt, ModelState *s);

#endif
