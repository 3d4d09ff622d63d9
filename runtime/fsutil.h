/* Small file-system helpers shared by the host and the trainers. */
#ifndef EBM_FSUTIL_H
#define EBM_FSUTIL_H

/* mkdir -p: 0, or -1 with errno set. */
int mkdir_p(const char *dir);

#endif
