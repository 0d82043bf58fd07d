/* The Check suites of the unit test binary; main.c runs them all. */
#ifndef ONNXCC_TEST_SUITES_H
#define ONNXCC_TEST_SUITES_H

#include <check.h>

Suite *text_suite(void);
Suite *kernels_suite(void);
Suite *graph_suite(void);
Suite *pool_norm_reduce_suite(void);
Suite *plan_scale_suite(void);
Suite *hostile_suite(void);
Suite *schema_suite(void);
Suite *dimexpr_suite(void);
Suite *conv_gemm_suite(void);
Suite *conv_depthwise_suite(void);
Suite *fuse_epilogue_suite(void);
Suite *fold_pad_suite(void);
Suite *matmul_add_gemm_suite(void);
Suite *fold_bn_suite(void);
Suite *transpose_suite(void);
Suite *loss_suite(void);
Suite *gridsample_suite(void);
Suite *matrix_suite(void);
Suite *scatter_suite(void);
Suite *rnn_suite(void);
Suite *vmath_suite(void);
Suite *dqlstm_suite(void);
Suite *select_suite(void);
Suite *maps_suite(void);
Suite *image_suite(void);
Suite *quant_suite(void);
Suite *msquant_suite(void);
Suite *resize_suite(void);
Suite *detect_suite(void);
Suite *signal_suite(void);
Suite *threads_suite(void);
Suite *regex_suite(void);
Suite *roi_suite(void);
Suite *tfidf_suite(void);
Suite *svm_suite(void);
Suite *ml_extra_suite(void);
Suite *algebra_placement_suite(void);
Suite *tensor_rules_suite(void);
Suite *sequence_suite(void);
Suite *trees_suite(void);
Suite *training_suite(void);
Suite *gradient_suite(void);
Suite *random_suite(void);
Suite *narrow_types_suite(void);
Suite *strings_suite(void);
Suite *attention_suite(void);
Suite *linear_attention_suite(void);
Suite *causal_conv_suite(void);
Suite *deform_conv_suite(void);
Suite *tensor_scatter_suite(void);
Suite *norm_act_suite(void);
Suite *rope_suite(void);
Suite *croppad_col2im_suite(void);
Suite *mx_types_suite(void);
Suite *bitcast_suite(void);
Suite *target_measure_suite(void);

Suite *target_suite(void);

#endif
