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
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, NULL, 2, "root", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 32 + 500);
  ck_assert_str_eq(st.chain, "root > leaf > helper");
  ck_assert_int_eq(st.dynamic, 1);
  ck_assert_int_eq(st.recursive, 0);
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, NULL, 2, "nowhere", &st), ST_INTERNAL);
  for (i = 0; i < 2; i++) {
    unlink(paths[i]);
    free(paths[i]);
  }
}
END_TEST

START_TEST(stack_flags_recursion) {
  char *path = temp_file(ci_loop);
  target_stack st;
  ck_assert_int_eq(target_stack_depth((const char *const *)&path, NULL, 1, "r1", &st), ST_OK);
  ck_assert_int_eq(st.recursive, 1);
  ck_assert_uint_eq(st.bytes, 32);
  unlink(path);
  free(path);
}
END_TEST

/* Calls through a pointer: k1 and k2 each hand their own task body to
 * run (another file), which calls it through a pointer; body2 (300) is
 * deeper than body1 (100), and unused (900) is a function whose address
 * nobody on the chain takes. run's depth hangs on who called it, so the
 * chain must say k2 > run > body2, whichever kernel is walked last
 * (root walks k2 first, root2 k1 first). root3 walks k0 first, which
 * hands run nothing: run's depth there (its own frame) must not be kept
 * for k2. root4's k4 takes big's address (900) but hands run nothing:
 * tiles, below it, hands run its tile (50), and only that is followed.
 * root5's k5 hands body5 to ranges, which hands run its rtask, which
 * calls body5 through a pointer (rt_parallel_ranges' range_task). */
static const char ci_kernels[] =
    "graph: { title: \"k.c\"\n"
    "node: { title: \"root\" label: \"root\\nk.c:1:5\\n16 bytes (static)\" }\n"
    "node: { title: \"k1\" label: \"k1\\nk.c:2:5\\n8 bytes (static)\" }\n"
    "node: { title: \"k2.constprop.0\" label: \"k2\\nk.c:3:5\\n8 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:body1\" label: \"body1\\nk.c:4:5\\n100 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:body2\" label: \"body2\\nk.c:5:5\\n300 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:unused\" label: \"unused\\nk.c:6:5\\n900 bytes (static)\" }\n"
    "node: { title: \"run\" label: \"run\\nk.c:1:5\" shape : ellipse }\n"
    "node: { title: \"root2\" label: \"root2\\nk.c:7:5\\n16 bytes (static)\" }\n"
    "node: { title: \"root3\" label: \"root3\\nk.c:8:5\\n16 bytes (static)\" }\n"
    "node: { title: \"k0\" label: \"k0\\nk.c:9:5\\n8 bytes (static)\" }\n"
    "edge: { sourcename: \"root3\" targetname: \"k0\" label: \"k.c:8:20\" }\n"
    "edge: { sourcename: \"root3\" targetname: \"k2.constprop.0\" label: \"k.c:8:30\" }\n"
    "edge: { sourcename: \"k0\" targetname: \"run\" label: \"k.c:9:20\" }\n"
    "node: { title: \"root4\" label: \"root4\\nk.c:10:5\\n16 bytes (static)\" }\n"
    "node: { title: \"k4\" label: \"k4\\nk.c:11:5\\n8 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:tiles\" label: \"tiles\\nk.c:12:5\\n8 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:tile\" label: \"tile\\nk.c:13:5\\n50 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:big\" label: \"big\\nk.c:14:5\\n900 bytes (static)\" }\n"
    "edge: { sourcename: \"root4\" targetname: \"k4\" label: \"k.c:10:20\" }\n"
    "edge: { sourcename: \"k4\" targetname: \"/src/k.c:tiles\" label: \"k.c:11:20\" }\n"
    "edge: { sourcename: \"/src/k.c:tiles\" targetname: \"run\" label: \"k.c:12:20\" }\n"
    "node: { title: \"root5\" label: \"root5\\nk.c:15:5\\n16 bytes (static)\" }\n"
    "node: { title: \"k5\" label: \"k5\\nk.c:16:5\\n8 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:ranges\" label: \"ranges\\nk.c:17:5\\n8 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:rtask\" label: \"rtask\\nk.c:18:5\\n24 bytes (static)\" }\n"
    "node: { title: \"/src/k.c:body5\" label: \"body5\\nk.c:19:5\\n70 bytes (static)\" }\n"
    "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
    "edge: { sourcename: \"root5\" targetname: \"k5\" label: \"k.c:15:20\" }\n"
    "edge: { sourcename: \"k5\" targetname: \"/src/k.c:ranges\" label: \"k.c:16:20\" }\n"
    "edge: { sourcename: \"/src/k.c:ranges\" targetname: \"run\" label: \"k.c:17:20\" }\n"
    "edge: { sourcename: \"/src/k.c:rtask\" targetname: \"__indirect_call\" label: \"k.c:18:20\" }\n"
    "edge: { sourcename: \"root\" targetname: \"k2.constprop.0\" label: \"k.c:1:20\" }\n"
    "edge: { sourcename: \"root\" targetname: \"k1\" label: \"k.c:1:30\" }\n"
    "edge: { sourcename: \"root2\" targetname: \"k1\" label: \"k.c:7:20\" }\n"
    "edge: { sourcename: \"root2\" targetname: \"k2.constprop.0\" label: \"k.c:7:30\" }\n"
    "edge: { sourcename: \"k1\" targetname: \"run\" label: \"k.c:2:20\" }\n"
    "edge: { sourcename: \"k2.constprop.0\" targetname: \"run\" label: \"k.c:3:20\" }\n"
    "}\n";
static const char ci_run[] =
    "graph: { title: \"r.c\"\n"
    "node: { title: \"run\" label: \"run\\nr.c:1:5\\n32 bytes (static)\" }\n"
    "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
    "edge: { sourcename: \"run\" targetname: \"__indirect_call\" label: \"r.c:1:20\" }\n"
    "}\n";
/* GCC's dump (abridged), taken before inlining: root takes its own
 * address, which must not loop; k1's reference is in a helper that
 * inlining took away (no node in the call graph), so it goes to k1 */
static const char refs_kernels[] =
    "root/0 (root) @0x7f0000000000\n"
    "  Type: function definition analyzed\n"
    "  References: root/0 (addr) \n"
    "  Referring: \n"
    "k1/1 (k1) @0x7f0000000100\n"
    "  References: \n"
    "  Referring: \n"
    "  Called by: root/0 root2/8 \n"
    "k1_split/7 (k1_split) @0x7f0000000700\n"
    "  References: body1/3 (addr) \n"
    "  Referring: \n"
    "  Called by: k1/1 \n"
    "k2/2 (k2) @0x7f0000000200\n"
    "  References: body2/4 (addr) table/9 (read) \n"
    "  Referring: \n"
    "k4/10 (k4) @0x7f0000001000\n"
    "  References: big/13 (addr) \n"
    "tiles/11 (tiles) @0x7f0000001100\n"
    "  References: tile/12 (addr) \n"
    "k5/14 (k5) @0x7f0000001400\n"
    "  References: body5/17 (addr) \n"
    "ranges/15 (ranges) @0x7f0000001500\n"
    "  References: rtask/16 (addr) \n"
    "body1/3 (body1) @0x7f0000000300\n"
    "  References: \n"
    "  Referring: k1/1 (addr) \n";

START_TEST(stack_follows_task_bodies) {
  char *paths[2] = {temp_file(ci_kernels), temp_file(ci_run)};
  char *refs[2] = {temp_file(refs_kernels), NULL};
  target_stack st;
  int i;
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "root", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 32 + 300);
  ck_assert_str_eq(st.chain, "root > k2.constprop.0 > run > k.c:body2");
  ck_assert_int_eq(st.recursive, 0);
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "root2", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 32 + 300);
  ck_assert_str_eq(st.chain, "root2 > k2.constprop.0 > run > k.c:body2");
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "root3", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 32 + 300);
  ck_assert_str_eq(st.chain, "root3 > k2.constprop.0 > run > k.c:body2");
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "root4", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 8 + 32 + 50);
  ck_assert_str_eq(st.chain, "root4 > k4 > k.c:tiles > run > k.c:tile");
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "root5", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 8 + 32 + 24 + 70);
  ck_assert_str_eq(st.chain, "root5 > k5 > k.c:ranges > run > k.c:rtask > k.c:body5");
  /* k1 alone: its own body */
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, (const char *const *)refs, 2, "k1", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 8 + 32 + 100);
  ck_assert_str_eq(st.chain, "k1 > run > k.c:body1");
  /* without the dump, a call through a pointer is not followed */
  ck_assert_int_eq(target_stack_depth((const char *const *)paths, NULL, 2, "root", &st), ST_OK);
  ck_assert_uint_eq(st.bytes, 16 + 8 + 32);
  for (i = 0; i < 2; i++) {
    unlink(paths[i]);
    free(paths[i]);
  }
  unlink(refs[0]);
  free(refs[0]);
}
END_TEST

Suite *target_measure_suite(void) {
  Suite *s = suite_create("target_measure");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, map_sums_kept_sections_per_part);
  tcase_add_test(tc, stack_follows_the_deepest_chain);
  tcase_add_test(tc, stack_flags_recursion);
  tcase_add_test(tc, stack_follows_task_bodies);
  suite_add_tcase(s, tc);
  return s;
}
