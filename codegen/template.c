#include "template.h"

#include <string.h>

void template_expand(text *w, const char *tmpl, const char *const *vars) {
  const char *p = tmpl;
  while (*p) {
    const char *open = strstr(p, "{{"), *close;
    int i, done = 0;
    if (!open) {
      text_puts(w, p);
      return;
    }
    close = strstr(open + 2, "}}");
    if (!close) {
      text_puts(w, p);
      return;
    }
    text_printf(w, "%.*s", (int)(open - p), p);
    for (i = 0; vars[i] && vars[i + 1]; i += 2) {
      size_t len = strlen(vars[i]);
      if ((size_t)(close - open - 2) == len && strncmp(open + 2, vars[i], len) == 0) {
        text_puts(w, vars[i + 1]);
        done = 1;
        break;
      }
    }
    if (!done) text_printf(w, "%.*s", (int)(close + 2 - open), open);
    p = close + 2;
  }
}
