/* Seconds on the monotonic clock, for intervals (progress, step timing,
 * timeouts): never jumps with the wall clock. */
#pragma once

double mono_seconds(void);
