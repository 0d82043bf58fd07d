/* `onnxcc run --target`'s table and the argument helpers it builds its
 * command lines with: which triples cross-build, which are the host's. */
#include <stdlib.h>
#include <string.h>

#include "subprocess.h"
#include "suites.h"
#include "target.h"

START_TEST(known_triples_name_their_tools) {
  const target_desc *t = NULL;
  char *cc;
  ck_assert_int_eq(target_find("aarch64-linux-gnu", &t), ST_OK);
  ck_assert_ptr_nonnull(t);
  ck_assert_str_eq(t->emulator, "qemu-aarch64");
  ck_assert_str_eq(t->sysroot, "/usr/aarch64-linux-gnu");
  ck_assert_str_eq(t->cc_package, "gcc-aarch64-linux-gnu");
  cc = target_cc(t);
  ck_assert_str_eq(cc, "aarch64-linux-gnu-gcc");
  free(cc);
  ck_assert_int_eq(target_find("riscv64-linux-gnu", &t), ST_OK);
  ck_assert_str_eq(t->emulator, "qemu-riscv64");
  ck_assert_str_eq(t->libc_package, "libc6-dev-riscv64-cross");
}
END_TEST

START_TEST(bare_triples_boot_on_a_board_or_say_none) {
  const target_desc *t = NULL;
  ck_assert_int_eq(target_find("cortex-m4f", &t), ST_OK);
  ck_assert_ptr_nonnull(t);
  ck_assert_str_eq(t->triple, "thumbv7em-none-eabihf");
  ck_assert_str_eq(target_emulator(t), "qemu-system-arm");
  ck_assert_str_eq(t->emu_package, "qemu-system-arm");
  ck_assert_str_eq(t->board.machine, "mps2-an386");
  ck_assert_str_eq(t->board.cpu, "cortex-m4");
  /* no QEMU board for the M0+: run refuses it, info still measures it */
  ck_assert_int_eq(target_find("thumbv6m-none-eabi", &t), ST_OK);
  ck_assert_ptr_null(target_emulator(t));
  ck_assert_int_eq(target_check_tools(t, 1), ST_USAGE);
  /* a Linux triple's emulator is its user-mode one */
  ck_assert_int_eq(target_find("aarch64-linux-gnu", &t), ST_OK);
  ck_assert_str_eq(target_emulator(t), "qemu-aarch64");
}
END_TEST

START_TEST(host_or_none_is_a_plain_run) {
  const target_desc *t = (const target_desc *)1;
  ck_assert_int_eq(target_find(NULL, &t), ST_OK);
  ck_assert_ptr_null(t);
  t = (const target_desc *)1;
  ck_assert_int_eq(target_find("", &t), ST_OK);
  ck_assert_ptr_null(t);
  t = (const target_desc *)1;
  ck_assert_int_eq(target_find(ONNXCC_HOST_TRIPLE, &t), ST_OK);
  ck_assert_ptr_null(t);
}
END_TEST

START_TEST(unknown_triple_is_a_usage_error) {
  const target_desc *t = NULL;
  ck_assert_int_eq(target_find("sparc-sun-solaris2", &t), ST_USAGE);
  ck_assert_ptr_null(t);
  /* no prefix matching: a near miss is refused too */
  ck_assert_int_eq(target_find("aarch64-linux", &t), ST_USAGE);
  ck_assert_int_eq(target_find("aarch64-linux-gnu ", &t), ST_USAGE);
}
END_TEST

START_TEST(words_split_without_a_shell) {
  char *w[4];
  int n = split_words("  ccache  gcc\t-O1 ", w, 4);
  ck_assert_int_eq(n, 3);
  ck_assert_str_eq(w[0], "ccache");
  ck_assert_str_eq(w[1], "gcc");
  ck_assert_str_eq(w[2], "-O1");
  free_words(w, n);
  ck_assert_int_eq(split_words("", w, 4), 0);
  ck_assert_int_eq(split_words("a b c d e", w, 4), -1);
}
END_TEST

START_TEST(argvec_stays_null_terminated) {
  argvec a = {0};
  char *words[] = {"x", "y"};
  int i;
  for (i = 0; i < 100; i++) argvec_add(&a, "w");
  argvec_add_all(&a, words, 2);
  ck_assert_int_eq(a.n, 102);
  ck_assert_str_eq(a.v[101], "y");
  ck_assert_ptr_null(a.v[102]);
  argvec_free(&a);
  ck_assert_ptr_null(a.v);
  ck_assert_int_eq(a.n, 0);
}
END_TEST

Suite *target_suite(void) {
  Suite *s = suite_create("target");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, known_triples_name_their_tools);
  tcase_add_test(tc, bare_triples_boot_on_a_board_or_say_none);
  tcase_add_test(tc, host_or_none_is_a_plain_run);
  tcase_add_test(tc, unknown_triple_is_a_usage_error);
  tcase_add_test(tc, words_split_without_a_shell);
  tcase_add_test(tc, argvec_stays_null_terminated);
  suite_add_tcase(s, tc);
  return s;
}
