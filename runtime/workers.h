/* A small pool of helper threads for splitting one call's work (the
 * small-matrix products at `train --threads T`): workers_run runs
 * fn(arg, part, parts) for part = 0..parts-1, part 0 on the caller, and
 * returns when every part is done. Helpers spin for a while after each job
 * (the products of a step come tens of microseconds apart, and waking a
 * sleeping thread costs about as long) and then sleep. One caller at a time. */
#pragma once

typedef void WorkFn(void *arg, int part, int parts);

/* split into n parts from now on (1: the caller alone; undoes workers_retire); helpers start lazily */
void workers_set(int parts);
/* how many parts workers_run splits into now */
int workers_parts(void);
/* Called once per training step. Whether a split pays depends on how fast
 * the cores exchange cache lines, which a VM's placement changes over time
 * (a 2-vCPU AMD EPYC ran ebm-0gp at 2 threads either 10% faster or 2x
 * slower than at one, in runs seconds apart), so the steps are timed split
 * and not split in turn, and the faster way is kept for a while. The bits do
 * not depend on it: each output is one thread's one chain either way. */
void workers_step(void);
void workers_run(WorkFn *fn, void *arg);
/* from now on one part (the caller's), helpers asleep: OpenBLAS is about
 * to run its own threads, and two pools that spin take each other's CPUs
 * (ddaebm at 2 threads ran at half its one-thread speed) */
void workers_retire(void);
