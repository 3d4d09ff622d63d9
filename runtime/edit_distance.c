#include "edit_distance.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int edit_distance(const char *a, const char *b) {
  int la = (int)strlen(a), lb = (int)strlen(b), *row = xcalloc(lb + 1, sizeof(int), "a name comparison");
  for (int j = 0; j <= lb; j++) row[j] = j;
  for (int i = 1; i <= la; i++) {
    int diag = row[0];
    row[0] = i;
    for (int j = 1; j <= lb; j++) {
      int up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  int d = row[lb];
  free(row);
  return d;
}
