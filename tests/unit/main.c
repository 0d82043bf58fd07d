/* Runs every unit suite and ends with "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>

#include "../../compiler/diag.h"
#include "suites.h"

int main(void) {
  SRunner *sr = srunner_create(text_suite());
  int run, failed;
  diag_set_quiet(1); /* error paths are tested; their messages are noise */
  srunner_add_suite(sr, kernels_suite());
  srunner_add_suite(sr, graph_suite());
  srunner_add_suite(sr, pool_norm_reduce_suite());
  srunner_add_suite(sr, plan_scale_suite());
  srunner_add_suite(sr, plan_concat_suite());
  srunner_add_suite(sr, hostile_suite());
  srunner_add_suite(sr, schema_suite());
  srunner_add_suite(sr, dimexpr_suite());
  srunner_add_suite(sr, threads_suite());
  srunner_add_suite(sr, conv_gemm_suite());
  srunner_add_suite(sr, conv_nchwc_suite());
  srunner_add_suite(sr, conv_depthwise_suite());
  srunner_add_suite(sr, conv_blocked_suite());
  srunner_add_suite(sr, conv_winograd_suite());
  srunner_add_suite(sr, fuse_epilogue_suite());
  srunner_add_suite(sr, fold_pad_suite());
  srunner_add_suite(sr, lift_1d_suite());
  srunner_add_suite(sr, layout_nchwc_suite());
  srunner_add_suite(sr, gather_channels_suite());
  srunner_add_suite(sr, nchwc_follow_suite());
  srunner_add_suite(sr, channel_scale_suite());
  srunner_add_suite(sr, matmul_add_gemm_suite());
  srunner_add_suite(sr, pow_square_suite());
  srunner_add_suite(sr, fuse_layernorm_suite());
  srunner_add_suite(sr, fold_bn_suite());
  srunner_add_suite(sr, transpose_suite());
  srunner_add_suite(sr, loss_suite());
  srunner_add_suite(sr, gridsample_suite());
  srunner_add_suite(sr, matrix_suite());
  srunner_add_suite(sr, scatter_suite());
  srunner_add_suite(sr, rnn_suite());
  srunner_add_suite(sr, vmath_suite());
  srunner_add_suite(sr, dqlstm_suite());
  srunner_add_suite(sr, select_suite());
  srunner_add_suite(sr, image_suite());
  srunner_add_suite(sr, quant_suite());
  srunner_add_suite(sr, msquant_suite());
  srunner_add_suite(sr, narrow_types_suite());
  srunner_add_suite(sr, trees_suite());
  srunner_add_suite(sr, training_suite());
  srunner_add_suite(sr, gradient_suite());
  srunner_add_suite(sr, random_suite());
  srunner_add_suite(sr, resize_suite());
  srunner_add_suite(sr, tensor_rules_suite());
  srunner_add_suite(sr, detect_suite());
  srunner_add_suite(sr, sequence_suite());
  srunner_add_suite(sr, signal_suite());
  srunner_add_suite(sr, regex_suite());
  srunner_add_suite(sr, roi_suite());
  srunner_add_suite(sr, tfidf_suite());
  srunner_add_suite(sr, svm_suite());
  srunner_add_suite(sr, ml_extra_suite());
  srunner_add_suite(sr, algebra_placement_suite());
  srunner_add_suite(sr, strings_suite());
  srunner_add_suite(sr, attention_suite());
  srunner_add_suite(sr, linear_attention_suite());
  srunner_add_suite(sr, causal_conv_suite());
  srunner_add_suite(sr, deform_conv_suite());
  srunner_add_suite(sr, tensor_scatter_suite());
  srunner_add_suite(sr, norm_act_suite());
  srunner_add_suite(sr, rope_suite());
  srunner_add_suite(sr, croppad_col2im_suite());
  srunner_add_suite(sr, mx_types_suite());
  srunner_add_suite(sr, bitcast_suite());
  srunner_add_suite(sr, target_measure_suite());
  srunner_add_suite(sr, maps_suite());
  srunner_add_suite(sr, target_suite());
  srunner_run_all(sr, CK_NORMAL);
  run = srunner_ntests_run(sr);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  printf("%d passed, %d failed\n", run - failed, failed);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
