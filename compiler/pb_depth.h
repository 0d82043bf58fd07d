/* A nesting-depth check on a serialized ModelProto, run before protobuf-c
 * unpacks it: protobuf-c recurses once per nested message, so a hostile
 * model nested thousands deep (subgraph attributes, sequence types)
 * overflows the stack. This scan is iterative and linear in the input. */
#ifndef ONNXCC_PB_DEPTH_H
#define ONNXCC_PB_DEPTH_H

#include <stddef.h>

/* How deep messages may nest, the ModelProto itself counting as 1.
 *
 * Why 100: it is the default recursion limit of Google's C++ protobuf
 * parser, which the onnx package and ONNX Runtime load models with, so no
 * model those tools accept nests deeper. Real models use a few levels per
 * subgraph (Model > Graph > Node > Attribute > Graph ...: 3 per If/Loop
 * body) and rarely nest bodies more than a handful deep, so this is far
 * above them, while 100 protobuf-c frames are a small fraction of even a
 * sanitizer build's stack. */
#define PB_MAX_DEPTH 100

/* Returns 1 when some message in the ModelProto `data` nests more than
 * `limit` deep, else 0. Only fields that the ONNX schema declares as
 * messages are followed; bytes that are not valid wire format are not an
 * error here (protobuf-c rejects them, or skips them as unknown fields),
 * the scan just does not look inside them. */
int pb_depth_exceeds(const unsigned char *data, size_t size, int limit);

#endif
