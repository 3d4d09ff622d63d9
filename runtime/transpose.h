/* The float transpose of runtime/conv.c's layout copies and of the small
 * sgemm's packing: dst[j * ld + i] = src[i * ls + j] for i < ni, j < nj. */
#ifndef EBM_TRANSPOSE_H
#define EBM_TRANSPOSE_H

void transpose_f32(const float *src, long ls, float *dst, long ld, int ni, int nj);

#endif
