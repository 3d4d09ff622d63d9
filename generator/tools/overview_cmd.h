/* `ebmforge overview`: toy runs side by side in one figure (PLplot), one
 * column per run: the density exp(-E) of DIR/energy_grid.npy normalised on
 * the grid (or its log) with a colour bar, and DIR/samples.npy over the
 * same square, titled with DIR/eval.json's scores where present.
 * Page: n x 1.4 P pixels wide, 2 P high (+ 44 for a title), P = --size. */
#ifndef EBM_OVERVIEW_CMD_H
#define EBM_OVERVIEW_CMD_H

/* argv: the arguments after `overview`. 0, 1 (I/O error) or 2 (bad arguments
 * or inputs; nothing written). */
int cmd_overview(int argc, char **argv);

#endif
