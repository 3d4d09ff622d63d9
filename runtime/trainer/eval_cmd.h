/* `train eval`: evaluation of a checkpoint against held-out data; point
 * models here, image models handed on to eval_image.h. */
#ifndef EBM_EVAL_CMD_H
#define EBM_EVAL_CMD_H

int cmd_eval(int argc, char **argv);

#endif
