/* RegexFullMatch's Pike VM (kernels/regex.h). Threads are instruction
 * numbers; a generation stamp per instruction keeps each in a list once
 * per position, so loops that match nothing end and the work per byte is
 * bounded by the program's length. */
#include <stdint.h>
#include <string.h>

#include "onnxcc/kernels/regex.h"
#include "onnxcc/strings.h"

typedef struct rx_vm {
  const int32_t *prog, *classes;
  int32_t *mark, *stack;
  int32_t gen;
} rx_vm;

static int rx_word(int c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* Whether assertion `at` holds between byte i - 1 and byte i of s[0..n). */
static int rx_holds(int32_t at, const unsigned char *s, int64_t i, int64_t n) {
  const int before = i > 0 && rx_word(s[i - 1]), after = i < n && rx_word(s[i]);
  switch (at) {
  case RT_RX_AT_BEGIN: return i == 0;
  case RT_RX_AT_END: return i == n;
  case RT_RX_AT_WORD: return before != after;
  default: return before == after;
  }
}

/* Adds pc and what it reaches without consuming a byte (at position i)
 * to list; returns the list's new length. */
static int64_t rx_add(rx_vm *vm, int32_t *list, int64_t len, int32_t pc, const unsigned char *s, int64_t i,
                      int64_t n) {
  int64_t top = 0;
  vm->stack[top++] = pc;
  while (top > 0) {
    const int32_t *in;
    pc = vm->stack[--top];
    if (vm->mark[pc] == vm->gen) continue;
    vm->mark[pc] = vm->gen;
    in = vm->prog + (int64_t)pc * RT_RX_INST;
    switch (in[0]) {
    case RT_RX_JMP: vm->stack[top++] = in[1]; break;
    case RT_RX_SPLIT:
      vm->stack[top++] = in[2];
      vm->stack[top++] = in[1];
      break;
    case RT_RX_ASSERT:
      if (rx_holds(in[1], s, i, n)) vm->stack[top++] = pc + 1;
      break;
    default: list[len++] = pc; /* CLASS or MATCH: waits for a byte or the end */
    }
  }
  return len;
}

static int rx_in_class(const int32_t *cls, unsigned char b) { return (int)((uint32_t)cls[b >> 5] >> (b & 31)) & 1; }

static int rx_full_match(rx_vm *vm, int32_t *cur, int32_t *next, const unsigned char *s, int64_t n) {
  int64_t ncur, i, k;
  vm->gen++;
  ncur = rx_add(vm, cur, 0, 0, s, 0, n);
  for (i = 0; i < n && ncur > 0; i++) {
    int64_t nnext = 0;
    int32_t *t;
    vm->gen++;
    for (k = 0; k < ncur; k++) {
      const int32_t *in = vm->prog + (int64_t)cur[k] * RT_RX_INST;
      if (in[0] == RT_RX_CLASS && rx_in_class(vm->classes + (int64_t)in[1] * 8, s[i]))
        nnext = rx_add(vm, next, nnext, cur[k] + 1, s, i + 1, n);
    }
    t = cur, cur = next, next = t;
    ncur = nnext;
  }
  for (k = 0; i == n && k < ncur; k++)
    if (vm->prog[(int64_t)cur[k] * RT_RX_INST] == RT_RX_MATCH) return 1;
  return 0;
}

RT_KERNEL(rt_regex_full_match) {
  const rt_regex_params *p = (const rt_regex_params *)params;
  const unsigned char *x = (const unsigned char *)in[0];
  uint8_t *y = (uint8_t *)out[0];
  int32_t *cur = (int32_t *)scratch, *next = cur + p->n_inst;
  rx_vm vm;
  int64_t i;
  vm.prog = (const int32_t *)in[1];
  vm.classes = vm.prog + p->n_inst * RT_RX_INST;
  vm.mark = next + p->n_inst;
  vm.stack = vm.mark + p->n_inst;
  vm.gen = 0;
  memset(vm.mark, 0xff, sizeof(int32_t) * (size_t)p->n_inst); /* -1: no generation yet */
  for (i = 0; i < p->count; i++) {
    const unsigned char *slot = x + i * p->slot;
    /* a string takes one generation per byte and one more */
    if (vm.gen > INT32_MAX - (int32_t)rt_str_len(slot) - 2) {
      memset(vm.mark, 0xff, sizeof(int32_t) * (size_t)p->n_inst);
      vm.gen = 0;
    }
    y[i] = (uint8_t)rx_full_match(&vm, cur, next, slot + 4, (int64_t)rt_str_len(slot));
  }
}
