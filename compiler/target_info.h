/* `onnxcc info MODEL --target TRIPLE`: the model's flash and RAM on that
 * target, measured by building the generated code and the runtime for it. */
#ifndef ONNXCC_TARGET_INFO_H
#define ONNXCC_TARGET_INFO_H

#include "compile.h"
#include "diag.h"

/* Builds C (already compiled from O) for TRIPLE in a temporary folder and
 * prints the table; ST_USAGE for a triple it does not know. */
status target_info(const compile_options *o, compiled *c, const char *triple);
/* ST_USAGE (reported, with the known triples) unless TRIPLE is known:
 * checked before the model is compiled. */
status target_check(const char *triple);

#endif
