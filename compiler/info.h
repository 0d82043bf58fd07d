#ifndef ONNXCC_INFO_H
#define ONNXCC_INFO_H

#include "options.h"
#include "diag.h"

/* Prints inputs, outputs, op histograms per pass, parameters, MACs and the
 * arena size against its lower bound; with TARGET (--target TRIPLE, else
 * NULL) also the flash and RAM a build for that target takes. */
status info_command(const compile_options *o, const char *target);

#endif
