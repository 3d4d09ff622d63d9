/* `train train`: trains from the seed or a checkpoint (DESIGN 2.5). */
#ifndef EBM_TRAIN_CMD_H
#define EBM_TRAIN_CMD_H

int cmd_train(int argc, char **argv);

#endif
