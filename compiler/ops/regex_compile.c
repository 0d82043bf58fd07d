/* A recursive-descent parser builds a small tree; emitting the tree as
 * Pike VM code then copies a repeated operand as often as {m,n} asks
 * (Thompson's construction). Byte classes are 256-bit sets; UTF-8 enters
 * only where a class matches "anything but ...": its non-ASCII part is
 * one well-formed multi-byte sequence. */
#include "regex_compile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/include/onnxcc/kernels/regex.h"
#include "../ir.h"

enum rx_kind { RX_EMPTY, RX_CHARS, RX_CAT, RX_ALT, RX_REPEAT, RX_ASSERT };

typedef struct rx_set {
  uint32_t bits[8];
  int utf8; /* also any multi-byte UTF-8 character */
} rx_set;

typedef struct rx_node {
  int kind;
  int cls;          /* CHARS: the class index */
  int at;           /* ASSERT: RT_RX_AT_* */
  int min, max;     /* REPEAT: max -1 = unbounded */
  struct rx_node **kids;
  int n_kids;
} rx_node;

typedef struct rx_parser {
  const char *pat, *p;
  rx_set *sets;
  int n_sets;
  char *err;
  size_t err_len;
  int failed;
  int depth;
} rx_parser;

static void fail(rx_parser *ps, const char *fmt, ...) {
  va_list ap;
  int n;
  if (ps->failed) return;
  ps->failed = 1;
  va_start(ap, fmt);
  n = vsnprintf(ps->err, ps->err_len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < ps->err_len)
    snprintf(ps->err + n, ps->err_len - (size_t)n, " (at byte %d)", (int)(ps->p - ps->pat));
}

static rx_node *node_new(int kind) {
  rx_node *n = xcalloc(1, sizeof *n);
  n->kind = kind;
  return n;
}

static void node_push(rx_node *n, rx_node *kid) {
  n->kids = xrealloc(n->kids, sizeof *n->kids * (size_t)(n->n_kids + 1));
  n->kids[n->n_kids++] = kid;
}

static void node_free(rx_node *n) {
  int k;
  if (!n) return;
  for (k = 0; k < n->n_kids; k++) node_free(n->kids[k]);
  free(n->kids);
  free(n);
}

/* ---- byte sets ---- */

static void set_add(rx_set *s, int lo, int hi) {
  int b;
  for (b = lo; b <= hi; b++) s->bits[b >> 5] |= 1u << (b & 31);
}

/* The complement among ASCII characters, plus every non-ASCII one. */
static void set_negate(rx_set *s) {
  int w;
  for (w = 0; w < 4; w++) s->bits[w] = ~s->bits[w];
  for (w = 4; w < 8; w++) s->bits[w] = 0;
  s->utf8 = !s->utf8;
}

static void set_union(rx_set *s, const rx_set *t) {
  int w;
  for (w = 0; w < 8; w++) s->bits[w] |= t->bits[w];
  s->utf8 |= t->utf8;
}

static int chars_node(rx_parser *ps, const rx_set *s, rx_node **out) {
  ps->sets = xrealloc(ps->sets, sizeof *ps->sets * (size_t)(ps->n_sets + 1));
  ps->sets[ps->n_sets] = *s;
  *out = node_new(RX_CHARS);
  (*out)->cls = ps->n_sets++;
  return 0;
}

/* \d \w \s (and upper case: their complements) into s; 0 if c is none. */
static int perl_class(int c, rx_set *s) {
  rx_set t;
  memset(&t, 0, sizeof t);
  switch (c | 0x20) {
  case 'd': set_add(&t, '0', '9'); break;
  case 'w':
    set_add(&t, '0', '9'), set_add(&t, 'A', 'Z'), set_add(&t, 'a', 'z');
    set_add(&t, '_', '_');
    break;
  case 's':
    set_add(&t, '\t', '\n'), set_add(&t, '\f', '\r');
    set_add(&t, ' ', ' ');
    break;
  default: return 0;
  }
  if (c >= 'A' && c <= 'Z') set_negate(&t);
  set_union(s, &t);
  return 1;
}

/* A [:name:] class into s; 0 if the name is unknown. */
static int posix_class(const char *name, size_t len, rx_set *s) {
  static const struct {
    const char *name;
    const char *ranges; /* pairs lo, hi */
  } table[] = {
      {"alnum", "09AZaz"}, {"alpha", "AZaz"}, {"ascii", "\x01\x7f"}, {"blank", "\t\t  "},
      {"cntrl", "\x01\x1f\x7f\x7f"}, {"digit", "09"}, {"graph", "!~"}, {"lower", "az"},
      {"print", " ~"}, {"punct", "!/:@[`{~"}, {"space", "\t\r  "}, {"upper", "AZ"},
      {"word", "09AZaz__"}, {"xdigit", "09AFaf"},
  };
  size_t k;
  for (k = 0; k < sizeof table / sizeof table[0]; k++) {
    const char *r = table[k].ranges;
    if (strlen(table[k].name) != len || memcmp(table[k].name, name, len) != 0) continue;
    if (!strcmp(table[k].name, "ascii") || !strcmp(table[k].name, "cntrl")) set_add(s, 0, 0);
    for (; r[0]; r += 2) set_add(s, (unsigned char)r[0], (unsigned char)r[1]);
    return 1;
  }
  return 0;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

/* One escaped character after the backslash (ps->p at it): its byte, or
 * -1 when it is a class (added to s) or an error. */
static int escape_char(rx_parser *ps, rx_set *s) {
  const int c = (unsigned char)*ps->p;
  static const char simple[] = "n\nt\tr\rf\fv\va\a";
  const char *m;
  if (!c) {
    fail(ps, "the pattern ends with a backslash");
    return -1;
  }
  ps->p++;
  if (perl_class(c, s)) return -1;
  for (m = simple; *m; m += 2)
    if (*m == c) return (unsigned char)m[1];
  if (c == 'x') {
    int v = 0, d;
    if (*ps->p == '{') {
      for (ps->p++; (d = hex_digit((unsigned char)*ps->p)) >= 0 && v < 0x100; ps->p++) v = v * 16 + d;
      if (*ps->p != '}') v = 0x100;
      else ps->p++;
    } else {
      int k;
      for (k = 0; k < 2; k++, ps->p++) {
        if ((d = hex_digit((unsigned char)*ps->p)) < 0) break;
        v = v * 16 + d;
      }
      if (k < 2) v = 0x100;
    }
    if (v > 0x7f) {
      fail(ps, "\\x escapes must give an ASCII character");
      return -1;
    }
    return v;
  }
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
    fail(ps, "escape \\%c is not supported", c);
    return -1;
  }
  return c; /* an escaped punctuation or other byte stands for itself */
}

/* [...] with ps->p after the '['. */
static rx_node *parse_class(rx_parser *ps) {
  rx_set s;
  rx_node *n;
  int negate = 0, first = 1;
  memset(&s, 0, sizeof s);
  if (*ps->p == '^') negate = 1, ps->p++;
  while (!ps->failed && (*ps->p != ']' || first)) {
    int lo, hi;
    first = 0;
    if (!*ps->p) {
      fail(ps, "missing ] to close a class");
      break;
    }
    if (ps->p[0] == '[' && ps->p[1] == ':') {
      const char *end = strstr(ps->p + 2, ":]");
      if (!end || !posix_class(ps->p + 2, (size_t)(end - ps->p - 2), &s)) {
        fail(ps, "unknown [:class:]");
        break;
      }
      ps->p = end + 2;
      continue;
    }
    if ((unsigned char)*ps->p >= 0x80) {
      fail(ps, "non-ASCII characters inside [...] are not supported");
      break;
    }
    if (*ps->p == '\\') {
      ps->p++;
      if ((lo = escape_char(ps, &s)) < 0) continue;
    } else {
      lo = (unsigned char)*ps->p++;
    }
    hi = lo;
    if (ps->p[0] == '-' && ps->p[1] && ps->p[1] != ']') {
      ps->p++;
      if ((unsigned char)*ps->p >= 0x80) {
        fail(ps, "non-ASCII characters inside [...] are not supported");
        break;
      }
      if (*ps->p == '\\') {
        rx_set none;
        memset(&none, 0, sizeof none);
        ps->p++;
        if ((hi = escape_char(ps, &none)) < 0) {
          fail(ps, "a class cannot end a range");
          break;
        }
      } else {
        hi = (unsigned char)*ps->p++;
      }
      if (hi < lo) {
        fail(ps, "range %c-%c runs backwards", lo, hi);
        break;
      }
    }
    set_add(&s, lo, hi);
  }
  if (ps->failed) return NULL;
  ps->p++; /* ']' */
  if (negate) set_negate(&s);
  chars_node(ps, &s, &n);
  return n;
}

static rx_node *parse_alt(rx_parser *ps);

static rx_node *assert_node(int at) {
  rx_node *n = node_new(RX_ASSERT);
  n->at = at;
  return n;
}

/* One atom: a group, class, ., anchor, escape or literal byte. */
static rx_node *parse_atom(rx_parser *ps) {
  rx_set s;
  rx_node *n;
  const int c = (unsigned char)*ps->p;
  memset(&s, 0, sizeof s);
  if (c == '(') {
    ps->p++;
    if (ps->p[0] == '?') {
      if (ps->p[1] == ':') {
        ps->p += 2;
      } else if (ps->p[1] == 'P' && ps->p[2] == '<') {
        const char *end = strchr(ps->p, '>');
        if (!end) {
          fail(ps, "unterminated group name");
          return NULL;
        }
        ps->p = end + 1;
      } else {
        fail(ps, "group flags (?...) are not supported");
        return NULL;
      }
    }
    if (++ps->depth > 1000) {
      fail(ps, "groups nest too deeply");
      return NULL;
    }
    n = parse_alt(ps);
    ps->depth--;
    if (!ps->failed && *ps->p != ')') fail(ps, "missing )");
    if (ps->failed) {
      node_free(n);
      return NULL;
    }
    ps->p++;
    return n;
  }
  ps->p++;
  switch (c) {
  case '[': return parse_class(ps);
  case '.':
    set_add(&s, '\n', '\n');
    set_negate(&s);
    break;
  case '^': return assert_node(RT_RX_AT_BEGIN);
  case '$': return assert_node(RT_RX_AT_END);
  case '\\':
    switch (*ps->p) {
    case 'A': ps->p++; return assert_node(RT_RX_AT_BEGIN);
    case 'z': ps->p++; return assert_node(RT_RX_AT_END);
    case 'b': ps->p++; return assert_node(RT_RX_AT_WORD);
    case 'B': ps->p++; return assert_node(RT_RX_AT_NOT_WORD);
    default: {
      const int b = escape_char(ps, &s);
      if (ps->failed) return NULL;
      if (b >= 0) set_add(&s, b, b);
    }
    }
    break;
  case '*': case '+': case '?':
    fail(ps, "%c has nothing to repeat", c);
    return NULL;
  default: set_add(&s, c, c); /* a literal byte, UTF-8 ones one by one */
  }
  chars_node(ps, &s, &n);
  return n;
}

/* {m}, {m,} or {m,n} at ps->p: 1 and the counts, or 0 (then '{' is a
 * literal, as in RE2) leaving ps->p alone. */
static int parse_braces(rx_parser *ps, int *min, int *max) {
  const char *q = ps->p + 1;
  long a = 0, b;
  if (*q < '0' || *q > '9') return 0;
  while (*q >= '0' && *q <= '9' && a <= 1000) a = a * 10 + (*q++ - '0');
  b = a;
  if (*q == ',') {
    q++;
    if (*q == '}') {
      b = -1;
    } else {
      if (*q < '0' || *q > '9') return 0;
      for (b = 0; *q >= '0' && *q <= '9' && b <= 1000; q++) b = b * 10 + (*q - '0');
    }
  }
  if (*q != '}') return 0;
  if (a > 1000 || b > 1000 || (b >= 0 && b < a)) {
    fail(ps, "bad repeat count {%ld,%ld} (RE2 allows 0 to 1000, min <= max)", a, b);
    return 0;
  }
  *min = (int)a, *max = (int)b;
  ps->p = q + 1;
  return 1;
}

static rx_node *parse_repeat(rx_parser *ps) {
  rx_node *n = parse_atom(ps);
  while (n && !ps->failed) {
    int min, max;
    rx_node *r;
    const char c = *ps->p;
    if (c == '*') min = 0, max = -1, ps->p++;
    else if (c == '+') min = 1, max = -1, ps->p++;
    else if (c == '?') min = 0, max = 1, ps->p++;
    else if (c == '{' && parse_braces(ps, &min, &max)) {}
    else break;
    if (*ps->p == '?') ps->p++; /* lazy: the same strings match in full */
    if (n->kind == RX_ASSERT) {
      fail(ps, "an anchor cannot be repeated");
      break;
    }
    r = node_new(RX_REPEAT);
    r->min = min, r->max = max;
    node_push(r, n);
    n = r;
  }
  if (ps->failed) {
    node_free(n);
    return NULL;
  }
  return n;
}

static rx_node *parse_cat(rx_parser *ps) {
  rx_node *cat = node_new(RX_CAT);
  while (!ps->failed && *ps->p && *ps->p != '|' && *ps->p != ')') {
    rx_node *n = parse_repeat(ps);
    if (n) node_push(cat, n);
  }
  return cat;
}

static rx_node *parse_alt(rx_parser *ps) {
  rx_node *alt = node_new(RX_ALT);
  node_push(alt, parse_cat(ps));
  while (!ps->failed && *ps->p == '|') {
    ps->p++;
    node_push(alt, parse_cat(ps));
  }
  return alt;
}

/* ---- code ---- */

typedef struct rx_code {
  int32_t (*inst)[RT_RX_INST];
  int32_t n, cap;
  int too_long;
} rx_code;

static int32_t emit(rx_code *c, int32_t op, int32_t x, int32_t y) {
  if (c->n >= RX_MAX_INST) {
    c->too_long = 1;
    return c->n;
  }
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 64;
    c->inst = xrealloc(c->inst, sizeof *c->inst * (size_t)c->cap);
  }
  c->inst[c->n][0] = op, c->inst[c->n][1] = x, c->inst[c->n][2] = y;
  return c->n++;
}

static void patch(rx_code *c, int32_t at, int slot, int32_t to) {
  if (at < c->n) c->inst[at][slot] = to;
}

/* The class indices of the UTF-8 lead and continuation bytes, made on
 * first use (so a pattern without them has none). */
typedef struct rx_utf8 {
  int lead2, lead3, lead4, cont;
} rx_utf8;

static int new_set(rx_parser *ps, int lo, int hi) {
  rx_set s;
  rx_node *n;
  int cls;
  memset(&s, 0, sizeof s);
  set_add(&s, lo, hi);
  chars_node(ps, &s, &n);
  cls = n->cls;
  node_free(n);
  return cls;
}

/* One multi-byte UTF-8 character: a lead byte of 2, 3 or 4 bytes and its
 * continuation bytes; end-jumps collected by the caller's JMP fixups. */
static void emit_utf8(rx_parser *ps, rx_code *c, rx_utf8 *u, int32_t *jumps, int *n_jumps) {
  int len;
  if (u->cont < 0) {
    u->lead2 = new_set(ps, 0xC2, 0xDF), u->lead3 = new_set(ps, 0xE0, 0xEF);
    u->lead4 = new_set(ps, 0xF0, 0xF4), u->cont = new_set(ps, 0x80, 0xBF);
  }
  for (len = 2; len <= 4; len++) {
    int32_t split = len < 4 ? emit(c, RT_RX_SPLIT, c->n + 1, 0) : -1;
    int k;
    emit(c, RT_RX_CLASS, len == 2 ? u->lead2 : len == 3 ? u->lead3 : u->lead4, 0);
    for (k = 1; k < len; k++) emit(c, RT_RX_CLASS, u->cont, 0);
    if (len < 4) {
      jumps[(*n_jumps)++] = emit(c, RT_RX_JMP, 0, 0);
      patch(c, split, 2, c->n);
    }
  }
}

static void emit_node(rx_parser *ps, rx_code *c, rx_utf8 *u, const rx_node *n);

static void emit_chars(rx_parser *ps, rx_code *c, rx_utf8 *u, int cls) {
  int32_t jumps[4], split;
  int n_jumps = 0, k;
  if (!ps->sets[cls].utf8) {
    emit(c, RT_RX_CLASS, cls, 0);
    return;
  }
  split = emit(c, RT_RX_SPLIT, c->n + 1, 0);
  emit(c, RT_RX_CLASS, cls, 0);
  jumps[n_jumps++] = emit(c, RT_RX_JMP, 0, 0);
  patch(c, split, 2, c->n);
  emit_utf8(ps, c, u, jumps, &n_jumps);
  for (k = 0; k < n_jumps; k++) patch(c, jumps[k], 1, c->n);
}

static void emit_repeat(rx_parser *ps, rx_code *c, rx_utf8 *u, const rx_node *n) {
  const rx_node *e = n->kids[0];
  int k;
  for (k = 0; k < n->min && !c->too_long; k++) emit_node(ps, c, u, e);
  if (n->max < 0) {
    /* L: SPLIT body, end; body: e; JMP L */
    const int32_t loop = emit(c, RT_RX_SPLIT, c->n + 1, 0);
    emit_node(ps, c, u, e);
    emit(c, RT_RX_JMP, loop, 0);
    patch(c, loop, 2, c->n);
  } else {
    /* each optional copy may end the repeat: all skip to one end */
    int32_t *splits = xmalloc(sizeof(int32_t) * (size_t)(n->max - n->min + 1));
    int m = 0;
    for (k = n->min; k < n->max && !c->too_long; k++) {
      splits[m++] = emit(c, RT_RX_SPLIT, c->n + 1, 0);
      emit_node(ps, c, u, e);
    }
    for (k = 0; k < m; k++) patch(c, splits[k], 2, c->n);
    free(splits);
  }
}

static void emit_node(rx_parser *ps, rx_code *c, rx_utf8 *u, const rx_node *n) {
  int k;
  if (c->too_long) return;
  switch (n->kind) {
  case RX_CHARS: emit_chars(ps, c, u, n->cls); break;
  case RX_ASSERT: emit(c, RT_RX_ASSERT, n->at, 0); break;
  case RX_CAT:
    for (k = 0; k < n->n_kids; k++) emit_node(ps, c, u, n->kids[k]);
    break;
  case RX_ALT: {
    int32_t *jumps = xmalloc(sizeof(int32_t) * (size_t)n->n_kids);
    for (k = 0; k < n->n_kids; k++) {
      const int32_t split = k + 1 < n->n_kids ? emit(c, RT_RX_SPLIT, c->n + 1, 0) : -1;
      emit_node(ps, c, u, n->kids[k]);
      if (k + 1 < n->n_kids) {
        jumps[k] = emit(c, RT_RX_JMP, 0, 0);
        patch(c, split, 2, c->n);
      }
    }
    for (k = 0; k + 1 < n->n_kids; k++) patch(c, jumps[k], 1, c->n);
    free(jumps);
    break;
  }
  case RX_REPEAT: emit_repeat(ps, c, u, n); break;
  default: break;
  }
}

int rx_compile(const char *pattern, rx_program *out, char *err, size_t err_len) {
  rx_parser ps;
  rx_code code;
  rx_utf8 u = {-1, -1, -1, -1};
  rx_node *tree;
  int k;
  memset(&ps, 0, sizeof ps);
  memset(&code, 0, sizeof code);
  memset(out, 0, sizeof *out);
  ps.pat = ps.p = pattern;
  ps.err = err, ps.err_len = err_len;
  tree = parse_alt(&ps);
  if (!ps.failed && *ps.p == ')') fail(&ps, "unmatched )");
  if (!ps.failed) {
    emit_node(&ps, &code, &u, tree);
    emit(&code, RT_RX_MATCH, 0, 0);
    if (code.too_long) fail(&ps, "the pattern needs more than %d instructions", RX_MAX_INST);
  }
  node_free(tree);
  if (ps.failed) {
    free(code.inst);
    free(ps.sets);
    return -1;
  }
  out->n_inst = code.n;
  out->n_words = (int64_t)code.n * RT_RX_INST + (int64_t)ps.n_sets * 8;
  out->words = xmalloc(sizeof(int32_t) * (size_t)out->n_words);
  memcpy(out->words, code.inst, sizeof(int32_t) * RT_RX_INST * (size_t)code.n);
  for (k = 0; k < ps.n_sets; k++) memcpy(out->words + code.n * RT_RX_INST + k * 8, ps.sets[k].bits, 32);
  free(code.inst);
  free(ps.sets);
  return 0;
}

void rx_program_free(rx_program *p) {
  free(p->words);
  p->words = NULL;
}
