/* `train sample`: samples of a trained model. */
#ifndef EBM_SAMPLE_CMD_H
#define EBM_SAMPLE_CMD_H

int cmd_sample(int argc, char **argv);

#endif
