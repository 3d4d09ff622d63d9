/* What the trainer's commands share (defined in main.c). */
#ifndef EBM_CLI_H
#define EBM_CLI_H

#include "model.h"

extern const char *prog;                      /* argv[0], for messages */
int wants_help(int argc, char **argv);        /* -h or --help among the arguments */
int bad(const char *msg);                     /* prints "prog: msg", returns 2 */
int unknown_option(const char *arg);          /* the same for an unknown option */
int parse_long(const char *s, long *v);       /* 0 when s is a whole number */
int load_state(const char *ckpt, ModelState *s);   /* the model's variables from --ckpt; 0 or an exit code */

/* eval_cmd.c: evaluation of point models (toy sets, .npy files) */
int cmd_eval(int argc, char **argv);

/* eval_image.c: evaluation of image models (methods.md §7.4) */
int cmd_eval_image(int argc, char **argv);
int cmd_fd(int argc, char **argv);

#endif
