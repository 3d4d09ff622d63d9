/* `ebmforge study FILE.lua`: runs a study (docs/studies.md). */
#ifndef EBM_STUDY_CMD_H
#define EBM_STUDY_CMD_H

/* argv: the arguments after `study`. 0, 1 (a run or build failed) or 2 (bad input). */
int cmd_study(int argc, char **argv);

#endif
