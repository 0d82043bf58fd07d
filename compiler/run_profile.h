/* `onnxcc run --profile`: reads the per-node times the driver prints
 * (templates/driver.c.in, built with -DONNXCC_PROFILE), prints them as a
 * table on stderr and adds them to the JSON line as a "profile" array. */
#ifndef ONNXCC_RUN_PROFILE_H
#define ONNXCC_RUN_PROFILE_H

#include "../codegen/text.h"
#include "compile.h"
#include "diag.h"

/* `s` as a JSON string, quotes included. */
void run_json_string(text *j, const char *s);

/* From the driver's output `log`: the table (nodes by time, then op
 * types) on stderr, and `, "mean_ms": ..., "profile": [...]` appended to
 * `json` (the mean run; one object per node, in the order they run, with
 * its median, mean and minimum over the runs). `run_median_ms` is the median run,
 * which the table's first line names. `splits`: a --threads model, whose
 * driver adds each node's task time on the thread running the model and
 * on the others ("own_ms", "others_ms", and two columns of the table).
 * ST_INTERNAL when the driver printed no profile, or one of another node
 * count. */
status run_profile_report(const char *log, const compiled *c, double run_median_ms, int splits, text *json);

#endif
