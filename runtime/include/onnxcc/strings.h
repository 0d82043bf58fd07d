/* String elements: fixed-size slots (docs/design.md, "String tensors").
 *
 * A string tensor is an array of slots of one size, chosen when the model
 * is compiled (--max-string-bytes N; the generated header's
 * NAME_STRING_BYTES): a uint32_t length in host byte order, then the
 * bytes, then a NUL, the whole rounded up to a multiple of 8. A slot holds
 * any string of at most N bytes (RT_STRING_SLOT(N) - 5 in fact). So a
 * string tensor is a flat block like any other tensor: the planner, views
 * and byte-moving kernels treat it as elements of RT_STRING_SLOT(N) bytes,
 * and nothing allocates. Strings are bytes (UTF-8 passes through
 * unchanged); a NUL inside one is allowed, the length says where it ends.
 *
 * Static inline helpers only: the runtime's kernels, the generated input
 * checks and the caller's code all share them. */
#ifndef ONNXCC_STRINGS_H
#define ONNXCC_STRINGS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bytes of a slot for strings of up to max bytes: length, bytes, NUL,
 * rounded up to 8 so that every slot of an array is 8-byte aligned. */
#define RT_STRING_SLOT(max) ((((size_t)(max) + 4u + 1u) + 7u) & ~(size_t)7u)
/* The longest string a slot of `slot` bytes holds. */
#define RT_STRING_CAPACITY(slot) ((size_t)(slot) - 5u)

static inline uint32_t rt_str_len(const void *slot) {
  uint32_t n;
  memcpy(&n, slot, sizeof n); /* slots are 8-aligned, but a caller's buffer may not be */
  return n;
}

static inline const char *rt_str_chars(const void *slot) { return (const char *)slot + 4; }
static inline char *rt_str_chars_mut(void *slot) { return (char *)slot + 4; }

/* Stores n bytes of s in a slot of slot_bytes, NUL-terminated. Returns 1,
 * or 0 when s is longer than the slot holds: then the slot gets its first
 * RT_STRING_CAPACITY(slot_bytes) bytes (callers that must not truncate
 * check first). */
static inline int rt_str_set(void *slot, size_t slot_bytes, const char *s, size_t n) {
  const size_t cap = RT_STRING_CAPACITY(slot_bytes);
  const int fits = n <= cap;
  uint32_t len = (uint32_t)(fits ? n : cap);
  memcpy(slot, &len, sizeof len);
  if (len) memmove(rt_str_chars_mut(slot), s, len); /* s may lie in the slot itself */
  rt_str_chars_mut(slot)[len] = '\0';
  return fits;
}

/* rt_str_set of a NUL-terminated C string. */
static inline int rt_str_set_c(void *slot, size_t slot_bytes, const char *s) {
  return rt_str_set(slot, slot_bytes, s, strlen(s));
}

/* Whether a caller's slot is well formed: its length fits the slot and
 * the byte after the string is the NUL. Kernels rely on both. */
static inline int rt_str_valid(const void *slot, size_t slot_bytes) {
  const uint32_t n = rt_str_len(slot);
  return n <= RT_STRING_CAPACITY(slot_bytes) && rt_str_chars(slot)[n] == '\0';
}

/* rt_str_valid for `count` slots in a row; the generated code checks each
 * string input with it before any kernel reads it. */
static inline int rt_str_all_valid(const void *slots, int64_t count, size_t slot_bytes) {
  const unsigned char *p = (const unsigned char *)slots;
  int64_t i;
  for (i = 0; i < count; i++)
    if (!rt_str_valid(p + (size_t)i * slot_bytes, slot_bytes)) return 0;
  return 1;
}

/* Byte order of two strings, as memcmp, a shorter prefix first. */
static inline int rt_str_cmp(const void *a, const void *b) {
  const uint32_t na = rt_str_len(a), nb = rt_str_len(b);
  const int c = memcmp(rt_str_chars(a), rt_str_chars(b), na < nb ? na : nb);
  return c ? c : (na > nb) - (na < nb);
}

#endif
