#ifndef ONNXCC_INFO_H
#define ONNXCC_INFO_H

#include "options.h"
#include "diag.h"

/* Prints inputs, outputs, op histograms per pass, parameters, MACs and the
 * arena size against its lower bound. */
status info_command(const compile_options *o);

#endif
