/* Reset and fault handling for a Cortex-M core: the vector table, .data
 * copied from flash, .bss cleared, the FPU switched on, then main. The
 * symbols come from the linker script (mps2-an386.ld). */
#include <stdint.h>

#include "semihost.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void reset_handler(void);
void fault_handler(void);

/* A table entry is the initial stack pointer or a handler; a union keeps
 * both without casting between object and function pointers. */
typedef union {
  uint32_t *sp;
  void (*fn)(void);
} vector;

__attribute__((section(".isr_vector"), used)) static const vector vectors[16] = {
    {.sp = &_estack},       {.fn = reset_handler}, {.fn = fault_handler}, /* NMI */
    {.fn = fault_handler},                                                  /* HardFault */
    {.fn = fault_handler},                                                  /* MemManage */
    {.fn = fault_handler},                                                  /* BusFault */
    {.fn = fault_handler},                                                  /* UsageFault */
    {0}, {0}, {0}, {0},
    {.fn = fault_handler}, /* SVCall */
    {.fn = fault_handler}, /* DebugMonitor */
    {0},
    {.fn = fault_handler}, /* PendSV */
    {.fn = fault_handler}, /* SysTick */
};

void reset_handler(void) {
  uint32_t *src = &_sidata, *dst;
  for (dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
#if defined(__ARM_FP)
  /* CP10 and CP11 full access: until then any float instruction faults,
   * and the hard-float ABI passes floats in FPU registers. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  sh_exit(main());
}

/* Any fault ends the run with a message instead of hanging the emulator. */
void fault_handler(void) {
  sh_puts("fault\n");
  sh_exit(3);
}
