/* A study file (generator/lua/study.lua checks it) as C data: which model
 * files, data sets, seeds, budgets and parameter grids `ebmforge study` runs. */
#ifndef EBM_STUDY_FILE_H
#define EBM_STUDY_FILE_H

typedef struct {
  char *name;    /* parameter name, as `train --set NAME=VALUE` takes it */
  char **values; /* as written in the study file */
  int n;
} StudyParam;

typedef struct {
  char *file;    /* model file, relative to the study file's folder (or absolute) */
  char *combo;   /* one sweep combination, or NULL for every one */
  char *label;   /* run-directory name instead of the combination's, or NULL */
  long *budgets; /* ascending iteration counts of one run */
  int n_budgets;
  StudyParam *params; /* grid: every element of the product is a run */
  int n_params;
} StudyModel;

typedef struct {
  char *spec; /* toy name or .npy path (relative to the study file's folder) */
  char *name; /* run-directory name: the toy name or the file's base name */
  int file;
} StudyData;

typedef struct {
  char *path, *name; /* the study file; its `name` or base name */
  StudyModel *models;
  int n_models;
  StudyData *data;
  int n_data;
  long *seeds;
  int n_seeds;
  long samples, ckpt_every, log_every;
} Study;

/* Loads and checks FILE. 0, or 2 with "path:line: message" printed. */
int study_load(const char *path, Study *s);
void study_free(Study *s);
/* `rel` as written in the study file, as a path from the working directory (malloc'd). */
char *study_path(const Study *s, const char *rel);

#endif
