/* The commands of image models (methods.md §7.4): `eval` (test accuracy of a
 * classifier, OOD AUROC of an energy model) and `fd` (FD-FMNIST). */
#ifndef EBM_EVAL_IMAGE_H
#define EBM_EVAL_IMAGE_H

int cmd_eval_image(int argc, char **argv);
int cmd_fd(int argc, char **argv);

#endif
