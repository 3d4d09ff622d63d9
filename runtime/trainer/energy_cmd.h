/* `train energy`: energies of a trained model on a grid or at given points. */
#ifndef EBM_ENERGY_CMD_H
#define EBM_ENERGY_CMD_H

int cmd_energy(int argc, char **argv);

#endif
