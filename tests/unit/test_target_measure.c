/* `onnxcc info --target`'s readers: the link map summed per part, and the
 * deepest stack over GCC's call graphs (compiler/target_measure.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../compiler/target_measure.h"
#include "suites.h"

/* TEXT into a fresh temporary file; its path (free it, unlink it). */
static char *temp_file(const char *text) {
  char *path = strdup("/tmp/onnxcc-unit-XXXXXX");
  int fd = mkstemp(path);
  FILE *f;
  ck_assert_int_ge(fd, 0);
  f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

/* GNU ld's layout: the discarded sections first, long names alone on
 * their line, fill and debug sections that are no part of the image. */
static const char map_text[] =
    "Discarded input sections\n\n"
    " .text.rt_unused\n"
    "                0x0000000000000000       0x40 /tmp/d/rt_gemm.o\n\n"
    "Linker script and memory map\n\n"
    ".text           0x0000000000000000      0x200\n"
    " *(.text .text.*)\n"
    " .text.model_run\n"
    "                0x0000000000000000       0x30 /tmp/d/model.o\n"
    " .text.main     0x0000000000000030       0x10 /tmp/d/main.o\n"
    " .text.rt_gemm_f32\n"
    "                0x0000000000000040      0x100 /tmp/d/rt_gemm.o\n"
    " .text          0x0000000000000140       0x20 /usr/lib/libc.a(lib_a-memcpy.o)\n"
    " *fill*         0x0000000000000160        0x4 \n"
    " .rodata.P0     0x0000000000000164        0x8 /tmp/d/model.o\n"
    " .data.x        0x0000000020000000        0x4 /tmp/d/rt_tensor.o\n"
    " .bss.y         0x0000000020000004       0x10 /tmp/d/model.o\n"
    " COMMON         0x0000000020000014        0x8 /tmp/d/rt_tensor.o\n"
    " .debug_info    0x0000000000000000      0x500 /tmp/d/model.o\n";

START_TEST(map_sums_kept_sections_per_part) {
  char *path = temp_file(map_text);
  target_sizes z;
  ck_assert_int_eq(target_map_sizes(path, "model.o", "rt_", "main.o", &z), ST_OK);
  ck_assert_uint_eq(z.code[PART_GENERATED], 0x30 + 0x8);
  ck_assert_uint_eq(z.code[PART_RUNTIME], 0x100); /* not the discarded rt_unused */
  ck_assert_uint_eq(z.code[PART_LIBRARY], 0x20);
  ck_assert_uint_eq(z.data[PART_RUNTIME], 4);
  ck_assert_uint_eq(z.bss[PART_GENERATED], 0x10);
  ck_assert_uint_eq(z.bss[PART_RUNTIME], 8);
  unlink(path);
  free(path);
}
END_TEST

/* a.c's root calls its own static helper (8), an external leaf and
 * memcpy; b.c defines leaf (32, dynamic) which calls b.c's helper (500),
 * not a.c's one of the same name. */
static const char ci_a[] =
    "graph: { title: \"a.c\"\n"
    "node: { title: \"root\" label: \"root\\na.c:1:5\\n16 bytes (static)\" }\n"
    "node: { title: \"helper\" label: \"helper\\na.c:2:5\\n8 bytes (static)\" }\n"
    "node: { title: \"leaf\" label: \"leaf\\na.c:1:5\" shape : ellipse }\n"
    "node: { title: \"memcpy\" label: \"memcpy\\na.c:1:5\" shape : ellipse }\n"
    "edge: { sourcename: \"root\" targetname: \"helper\" label: \"a.c:3:1\" }\n"
    "edge: { sourcename: \"root\" targetname: \"leaf\" label: \"a.c:3:9\" }\n"
    "edge: { sourcename: \"root\" targetname: \"memcpy\" label: \"a.c:3:20\" }\n"
    "}\n";
static const char ci_b[] =
    "graph: { title: \"b.c\"\n"
    "node: { title: \"leaf\" label: \"leaf\\nb.c:1:5\\n32 bytes (dynamic)\" }\n"
    "node: { title: \"helper\" label: \"helper\\nb.c:2:5\\n500 bytes (static)\" }\n"
    "edge: { sourcename: \"leaf\" targetname: \"helper\" label: \"b.c:1:20\" }\n"
    "}\n";
static const char ci_loop[] =
    "graph: { title: \"c.c\"\n"
    "node: { title: \"r1\" label: \"r1\\nc.c:1:5\\n16 bytes (static)\" }\n"
    "node: { title: \"r2\" label: \"r2\\nc.c:2:5\\n16 bytes (static)\" }\n"
    "edge: { sourcename: \"r1\" targetname: \"r2\" label: \"c.c:1:20\" }\n"
    "edge: { sourcename: \"r2\" targetname: \"r1\" label: \"c.c:2:20\" }\n"
    "}\n";

START_TEST(stack_follows_the_deepest_chain) {
  char *paths[2] = {temp_file(ci_a), temp_file(ci_b)};
  target_stack st;
  int i;
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, 2, "root", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 32 + 500);
  ck_assert_str_eq(st.chain, "root > leaf > helper");
  ck_assert_int_eq(st.dynamic, 1);
  ck_assert_int_eq(st.recursive, 0);
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, 2, "nowhere", &st), ST_INTERNAL);
  for (i = 0; i < 2; i++) {
    unlink(paths[i]);
    free(paths[i]);
  }
}
END_TEST

START_TEST(stack_flags_recursion) {
  char *path = temp_file(ci_loop);
  target_stack st;
  ck_assert_int_eq(target_stack_depth((const char *const *)&path, 1, "r1", &st), ST_OK);
  ck_assert_int_eq(st.recursive, 1);
  ck_assert_uint_eq(st.bytes, 32);
  unlink(path);
  free(path);
}
END_TEST

Suite *target_measure_suite(void) {
  Suite *s = suite_create("target_measure");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, map_sums_kept_sections_per_part);
  tcase_add_test(tc, stack_follows_the_deepest_chain);
  tcase_add_test(tc, stack_flags_recursion);
  suite_add_tcase(s, tc);
  return s;
}
