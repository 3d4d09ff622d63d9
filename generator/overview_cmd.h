/* `ebmforge overview`: toy runs side by side in one PNG, one column per run:
 * its label, the density exp(-E) of DIR/energy_grid.npy normalised on the
 * grid (the colours of the trainers' density.png) and DIR/samples.npy
 * scattered over the same square (the trainers' samples.png).
 *
 * Layout, in pixels, with P the panel size and n the number of runs:
 * width 2 MARGIN + n P + (n - 1) GAP; column i starts at x = MARGIN + i (P + GAP).
 * Rows from the top: MARGIN; with a title, TEXT_H of title then GAP; the
 * labels (TEXT_H, then LABEL_GAP); the density panels (P); GAP; the sample
 * panels (P); MARGIN. Background white, text black. */
#ifndef EBM_OVERVIEW_CMD_H
#define EBM_OVERVIEW_CMD_H

#define OVERVIEW_MARGIN 8
#define OVERVIEW_GAP 8
#define OVERVIEW_TEXT_H 14 /* the 5x7 font at scale 2 */
#define OVERVIEW_LABEL_GAP 4

/* argv: the arguments after `overview`. 0, 1 (I/O error) or 2 (bad arguments
 * or inputs; nothing written). */
int cmd_overview(int argc, char **argv);

#endif
