/* Which data a run trained on, as run.json and checkpoints record it
 * (run_data.h fills it; checkpoint.h stores and reads it). A type only, so
 * that checkpoints need not depend on how a command opens its data. */
#ifndef EBM_DATA_ID_H
#define EBM_DATA_ID_H

#define RUN_PATH_MAX 4200

typedef struct {
  char spec[RUN_PATH_MAX]; /* toy name, image set spec, or the .npy file's absolute path */
  char kind[8];            /* "toy", "npy", "images" */
  char sha256[65];         /* npy: of the file's bytes */
  long rows;               /* npy: shape [rows, cols] */
  int cols, f64;           /* npy: float64 values (rounded to float) */
  /* the held-out points: "split" (the file's held-out rows), "file" (--test-data),
   * "fresh" (toy sets: new draws), "test-split" (image sets), "none" (under 10 rows) */
  char test[12];
  char test_path[RUN_PATH_MAX], test_sha256[65];
  long rows_train, rows_test;
} DataId;

#endif
