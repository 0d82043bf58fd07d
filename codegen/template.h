/* Fills {{NAME}} placeholders of an embedded template (templates/NAME.in). */
#ifndef ONNXCC_TEMPLATE_H
#define ONNXCC_TEMPLATE_H

#include "text.h"

/* `vars` holds name/value pairs and ends with NULL. Unknown placeholders
 * are left as they are. */
void template_expand(text *w, const char *tmpl, const char *const *vars);

extern const char tmpl_driver_c[];

#endif
