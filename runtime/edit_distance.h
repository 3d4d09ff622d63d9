/* How far apart two names are, for "did you mean ..." in error messages
 * (run-time parameters, trainer options). */
#ifndef EBM_EDIT_DISTANCE_H
#define EBM_EDIT_DISTANCE_H

/* Levenshtein distance, letters compared without case. */
int edit_distance(const char *a, const char *b);

#endif
