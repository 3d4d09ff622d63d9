/* `train info`: what a trainer was built from and what it holds. */
#ifndef EBM_INFO_CMD_H
#define EBM_INFO_CMD_H

int cmd_info(int argc, char **argv);

#endif
