/* How the runtime library was built, for the code that links it.
 *
 * This copy, in the source tree, records nothing: a build that compiles
 * the runtime's sources itself (onnxcc run, onnxcc info --target, your own
 * makefile) passes its options as -D flags to the runtime and the
 * generated code alike. `meson install` installs a generated copy instead
 * (runtime/meson.build), which defines what the build's options chose:
 *   ONNXCC_RT_INDEX32   runtime_index32: index arithmetic in 32 bits */
#ifndef ONNXCC_CONFIG_H
#define ONNXCC_CONFIG_H
#endif
