/* NonMaxSuppression and Unique kernels on small hand-computed cases: the
 * count they report, ties, thresholds at their edges, absent outputs. */
#include <string.h>

#include <onnxcc/kernels.h>

#include "suites.h"

/* Runs rt_nms on one batch of four boxes and one class; returns the count
 * and leaves the rows in y. NULL thresholds are absent inputs. */
static int64_t run_nms(const float *boxes, const float *scores, int64_t max_out, const float *iou, const float *score,
                       int center_point_box, int64_t *y) {
  rt_nms_params p = {1, 1, 4, 0};
  int64_t scratch[RT_NMS_SCRATCH(4) / 8], count = -2;
  const void *in[8] = {0};
  void *out[8] = {0};
  p.center_point_box = center_point_box;
  in[0] = boxes;
  in[1] = scores;
  in[2] = &max_out;
  in[3] = iou;
  in[4] = score;
  out[0] = y;
  out[1] = &count;
  rt_nms(&p, in, out, scratch);
  return count;
}

/* Box 3 has no area: it is kept (highest score) but suppresses nothing;
 * box 2 equals box 0, which comes first on the tied score; box 1 overlaps
 * box 0 with IOU 0.9 / 1.1. */
static const float degenerate_boxes[16] = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 0, 1, 1, 0, 0, 0, 1};
static const float degenerate_scores[4] = {0.9f, 0.8f, 0.9f, 0.95f};

START_TEST(nms_ties_and_empty_boxes) {
  int64_t y[12];
  const float iou = 0.5f;
  ck_assert_int_eq(run_nms(degenerate_boxes, degenerate_scores, 10, &iou, NULL, 0, y), 2);
  ck_assert_int_eq(y[2], 3);
  ck_assert_int_eq(y[5], 0);
  ck_assert_int_eq(y[0] + y[1] + y[3] + y[4], 0); /* batch 0, class 0 */
  /* max 1: only the best */
  ck_assert_int_eq(run_nms(degenerate_boxes, degenerate_scores, 1, &iou, NULL, 0, y), 1);
  ck_assert_int_eq(y[2], 3);
  /* a negative max, as an absent one, keeps nothing */
  ck_assert_int_eq(run_nms(degenerate_boxes, degenerate_scores, -1, &iou, NULL, 0, y), 0);
}
END_TEST

START_TEST(nms_thresholds_are_strict) {
  /* Boxes 0 and 1 have IOU exactly 1/2 (box 1 is half of box 0); boxes 2
   * and 3 are far away. */
  const float boxes[16] = {0, 0, 2, 1, 0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21};
  const float scores[4] = {0.5f, 0.4f, 0.3f, 0.2f};
  int64_t y[12];
  float iou = 0.5f, score = 0.3f;
  /* IOU 0.5 is not above 0.5: box 1 stays */
  ck_assert_int_eq(run_nms(boxes, scores, 4, &iou, NULL, 0, y), 4);
  iou = 0.49f;
  ck_assert_int_eq(run_nms(boxes, scores, 4, &iou, NULL, 0, y), 3);
  ck_assert_int_eq(y[5], 2);
  /* score 0.3 is not above 0.3: box 2 goes */
  iou = 0.5f;
  ck_assert_int_eq(run_nms(boxes, scores, 4, &iou, &score, 0, y), 2);
  ck_assert_int_eq(y[2], 0);
  ck_assert_int_eq(y[5], 1);
}
END_TEST

START_TEST(nms_center_point_boxes) {
  /* The corner boxes of nms_thresholds_are_strict as centers and sizes,
   * with the same results. */
  const float boxes[16] = {0.5f, 1, 1, 2, 0.5f, 0.5f, 1, 1, 10.5f, 10.5f, 1, 1, 20.5f, 20.5f, 1, 1};
  const float scores[4] = {0.5f, 0.4f, 0.3f, 0.2f};
  int64_t y[12];
  float iou = 0.5f;
  ck_assert_int_eq(run_nms(boxes, scores, 4, &iou, NULL, 1, y), 4);
  iou = 0.49f;
  ck_assert_int_eq(run_nms(boxes, scores, 4, &iou, NULL, 1, y), 3);
}
END_TEST

START_TEST(nms_bad_iou_threshold) {
  int64_t y[12];
  float iou = 1.5f;
  ck_assert_int_eq(run_nms(degenerate_boxes, degenerate_scores, 10, &iou, NULL, 0, y), -1);
  iou = -0.0f; /* in range */
  ck_assert_int_eq(run_nms(degenerate_boxes, degenerate_scores, 10, &iou, NULL, 0, y), 2);
}
END_TEST

START_TEST(nms_batches_and_classes_in_order) {
  /* Two batches of two boxes, two classes: rows come batch by batch, class
   * by class, each class by score. Batch 1's boxes coincide: one is kept;
   * scores of 0 are not above the threshold. */
  const float boxes[16] = {0, 0, 1, 1, 5, 5, 6, 6, 0, 0, 1, 1, 0, 0, 1, 1};
  const float scores[8] = {0.1f, 0.2f, 0.3f, 0.0f, 0.6f, 0.7f, 0.0f, 0.0f};
  const int64_t want[12] = {0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1};
  rt_nms_params p = {2, 2, 2, 0};
  int64_t scratch[RT_NMS_SCRATCH(2) / 8], y[24], count = -2, max_out = 5;
  const float iou = 0.5f, score = 0.0f;
  const void *in[8] = {boxes, scores, &max_out, &iou, &score};
  void *out[8] = {y, &count};
  int i;
  rt_nms(&p, in, out, scratch);
  ck_assert_int_eq(count, 4);
  for (i = 0; i < 12; i++) ck_assert_int_eq(y[i], want[i]);
}
END_TEST

/* Unique's outputs for x = [2, 1, 1, 3, 4, 3] as int32 (ONNX Runtime has
 * no int32 Unique; numpy's unique agrees on the sorted case). */
START_TEST(unique_flat_sorted_and_unsorted) {
  const int32_t x[6] = {2, 1, 1, 3, 4, 3};
  const int32_t want_y[2][4] = {{1, 2, 3, 4}, {2, 1, 3, 4}};
  const int64_t want_first[2][4] = {{1, 0, 3, 4}, {0, 1, 3, 4}};
  const int64_t want_inv[2][6] = {{1, 0, 0, 2, 3, 2}, {0, 1, 1, 2, 3, 2}};
  const int64_t want_counts[2][4] = {{2, 1, 2, 1}, {1, 2, 2, 1}};
  rt_unique_params p = {1, 6, 1, 1, 4};
  int64_t scratch[RT_UNIQUE_SCRATCH(6) / 8], first[6], inv[6], counts[6], u;
  int32_t y[6];
  const void *in[8] = {x};
  void *out[8] = {y, first, inv, counts, &u};
  int s, i;
  for (s = 0; s < 2; s++) {
    p.sorted = !s;
    u = -2;
    rt_unique_i32(&p, in, out, scratch);
    ck_assert_int_eq(u, 4);
    for (i = 0; i < 4; i++) {
      ck_assert_int_eq(y[i], want_y[s][i]);
      ck_assert_int_eq(first[i], want_first[s][i]);
      ck_assert_int_eq(counts[i], want_counts[s][i]);
    }
    for (i = 0; i < 6; i++) ck_assert_int_eq(inv[i], want_inv[s][i]);
  }
}
END_TEST

START_TEST(unique_along_an_axis) {
  /* x [2, 4]: the columns (axis 1) are (1,0), (0,1), (1,0), (0,0):
   * sorted (0,0), (0,1), (1,0); by first occurrence (1,0), (0,1), (0,0). */
  const float x[8] = {1, 0, 1, 0, 0, 1, 0, 0};
  const float want_y[2][6] = {{0, 0, 1, 0, 1, 0}, {1, 0, 0, 0, 1, 0}};
  const int64_t want_inv[2][4] = {{2, 1, 2, 0}, {0, 1, 0, 2}};
  rt_unique_params p = {2, 4, 1, 1, 3};
  int64_t scratch[RT_UNIQUE_SCRATCH(4) / 8], inv[4], u;
  float y[8];
  const void *in[8] = {x};
  void *out[8] = {y, NULL, inv, &u}; /* indices absent; the count after 3 outputs */
  int s, i;
  for (s = 0; s < 2; s++) {
    p.sorted = !s;
    rt_unique_f32(&p, in, out, scratch);
    ck_assert_int_eq(u, 3);
    for (i = 0; i < 6; i++) ck_assert_float_eq(y[i], want_y[s][i]);
    for (i = 0; i < 4; i++) ck_assert_int_eq(inv[i], want_inv[s][i]);
  }
}
END_TEST

START_TEST(unique_signed_zero_and_empty) {
  /* -0 and 0 are one value, shown as the first occurrence's */
  const float x[3] = {-0.0f, 1, 0.0f};
  rt_unique_params p = {1, 3, 1, 1, 4};
  int64_t scratch[RT_UNIQUE_SCRATCH(3) / 8], counts[3], u = -2;
  float y[3];
  const void *in[8] = {x};
  void *out[8] = {y, NULL, NULL, counts, &u};
  rt_unique_f32(&p, in, out, scratch);
  ck_assert_int_eq(u, 2);
  ck_assert(y[0] == 0 && 1 / y[0] < 0);
  ck_assert_int_eq(counts[0], 2);
  /* no items: a count of 0, no scratch needed */
  p.n = 0;
  u = -2;
  rt_unique_f32(&p, in, out, NULL);
  ck_assert_int_eq(u, 0);
}
END_TEST

Suite *detect_suite(void) {
  Suite *s = suite_create("detect");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, nms_ties_and_empty_boxes);
  tcase_add_test(tc, nms_thresholds_are_strict);
  tcase_add_test(tc, nms_center_point_boxes);
  tcase_add_test(tc, nms_bad_iou_threshold);
  tcase_add_test(tc, nms_batches_and_classes_in_order);
  tcase_add_test(tc, unique_flat_sorted_and_unsorted);
  tcase_add_test(tc, unique_along_an_axis);
  tcase_add_test(tc, unique_signed_zero_and_empty);
  suite_add_tcase(s, tc);
  return s;
}
