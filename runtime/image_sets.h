/* Image data sets on disk (methods.md §6): IDX files (Fashion-MNIST, MNIST;
 * optionally gzip-compressed) and the CIFAR-10 binary format. Pixels stay
 * uint8 in memory; image_to_floats scales a picture to [-1, 1] (and pads it).
 * Every malformed or missing file is refused with its path and what was
 * expected. */
#ifndef EBM_IMAGE_SETS_H
#define EBM_IMAGE_SETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  long n;                /* pictures */
  int c, h, w;           /* channels, rows, columns */
  unsigned char *pixels; /* [n, c, h, w] */
  unsigned char *labels; /* [n], or NULL */
} ImageSet;

/* Limits on what an IDX header may claim (checked in 64 bits before any
 * allocation): each dimension, the data bytes of one file, and the values of
 * one picture (so that every per-picture size fits in an int). */
#define IDX_MAX_DIM (1u << 24)
#define IDX_MAX_BYTES (16ull << 30)
#define IMAGE_MAX_VALUES (1 << 24)

#define FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* `spec` names a set and optionally its folder: "fashion-mnist[:DIR]",
 * "mnist:DIR" (IDX files named like Fashion-MNIST's) or "cifar10:DIR";
 * `test` picks the test split. Returns 1 if spec names an image set (then 0
 * in *rc on success, -1 with err), 0 if it is not an image-set name. */
int image_set_open(ImageSet *s, const char *spec, int test, int *rc, char *err, size_t errlen);
void image_set_free(ImageSet *s);

/* Reads one IDX file (magic 0x801 labels or 0x803 images, big-endian sizes)
 * into *data; dims[0..rank-1]. gzip or plain. 0 or -1 with err. A plain
 * file's size must match its header; a gzip file's data must decompress to
 * exactly the header's byte count. */
int idx_read(const char *path, int want_magic, unsigned char **data, int dims[3], int *rank, char *err, size_t errlen);

/* One CIFAR-10 binary file of exactly `records` records (1 label byte 0..9,
 * then 3 x 1024 pixel bytes) into labels[records], pixels[records * 3072].
 * The size is checked before reading. 0 or -1 with err. */
int cifar_read(const char *path, long records, unsigned char *labels, unsigned char *pixels, char *err, size_t errlen);

/* Floats of picture i: 2 p / 255 - 1, placed in the middle of an
 * [c, h + 2 pad, w + 2 pad] frame filled with -1; flip mirrors each row. */
void image_to_floats(const ImageSet *s, long i, int pad, int flip, float *out);

#endif
