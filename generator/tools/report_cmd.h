/* `ebmforge report DIR`: the tables and figures of a study's directory.
 *
 * Reads every DIR/<data>/<method>[/<params>]/seed<k>/verdict_<B>.json and
 * the eval_<B>.json beside it, and writes, for each data set x method x
 * parameters x budget (a cell), the verdict counts and the mean and standard
 * deviation over seeds of every numeric field of eval's JSON:
 *   DIR/report.md    a table per data set (the main metrics)
 *   DIR/report.csv   one row per cell, every metric (<name>_mean, <name>_sd, <name>_n)
 *   DIR/report.json  the same cells, with the verdict thresholds
 * and per data set DIR/overview_<data>.png and overview_<data>_log.png
 * (`ebmforge overview`: density or log-density, and samples, of each method's
 * lowest seed at its largest scored budget). */
#ifndef EBM_REPORT_CMD_H
#define EBM_REPORT_CMD_H

/* The report of DIR; 0, or 1 when a file cannot be written. */
int report_write(const char *dir);
/* argv: the arguments after `report`. */
int cmd_report(int argc, char **argv);

#endif
