/* `ebmforge pack`: a built combination's trainers as a self-contained tarball. */
#ifndef EBM_PACK_CMD_H
#define EBM_PACK_CMD_H

/* dir: out/<model>/<combination> with its train-* binaries built; out_file
 * NULL for <model dir>-<combination>.tar.gz. 0, 1 (I/O) or 2 (bad input). */
int pack_trainers(const char *dir, const char *out_file);

#endif
