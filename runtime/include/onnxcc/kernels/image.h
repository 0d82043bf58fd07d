/* ImageDecoder: an encoded image file (a 1-D uint8 tensor read at run
 * time) decoded into uint8 pixels [H, W, C].
 *
 * rt_image_decode: in[0] holds `nbytes` bytes of a file; the format is
 * found by its magic bytes: BMP (uncompressed 24/32-bit and 8-bit
 * paletted, bottom-up or top-down), PNM (P2/P3/P5/P6, maxval 255), TIFF
 * (uncompressed 8-bit RGB, grayscale or paletted strips, either byte
 * order) and PNG (8-bit gray, gray+alpha, RGB, RGBA and palette, not
 * interlaced). out[0]
 * gets [H, W, 3] RGB or BGR (`format` 0 or 1) or [H, W, 1] grayscale
 * (`format` 2, L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, Pillow's
 * conversion, which ONNX's reference uses); alpha is dropped. H and W are
 * written (int64) to out[1] (lowered.defines_after).
 *
 * A file the runtime cannot decode (JPEG, JPEG 2000, WebP, any other
 * format, a variant above, or a corrupt or truncated file) gives what
 * ONNX's text says for a failed decode: an empty result, H = W = 0. An
 * image larger than the compiled bound (max_h x max_w, from
 * --max-dynamic-dim) is refused: RT_ERR_SHAPE at out[RT_STATUS_SLOT].
 * Needs scratch of rt_image_scratch_bytes(nbytes, max_h, max_w) bytes
 * (PNG: the IDAT bytes gathered, then the inflated rows). */
#ifndef ONNXCC_KERNELS_IMAGE_H
#define ONNXCC_KERNELS_IMAGE_H

#include <stddef.h>

#include "../params.h"
#include "../runtime.h"

#define RT_IMAGE_PARAMS(I, F, IA, FA, I32, I32A, E) I(nbytes) I(max_h) I(max_w) I32(format)
RT_PARAMS_STRUCT(rt_image_params, RT_IMAGE_PARAMS)

/* The scratch rt_image_decode needs: the compiler sizes it with this. */
static inline size_t rt_image_scratch_bytes(int64_t nbytes, int64_t max_h, int64_t max_w) {
  /* a PNG row: its filter byte and up to 4 bytes a pixel */
  return (size_t)nbytes + (size_t)max_h * (size_t)(1 + 4 * max_w) + 16;
}

/* The kernel variants of this header, K(function, params type), and its
 * params types, P(type, field list). */
#define RT_IMAGE_KERNELS(K) K(rt_image_decode, rt_image_params)
#define RT_IMAGE_PARAMS_TYPES(P) P(rt_image_params, RT_IMAGE_PARAMS)
RT_IMAGE_KERNELS(RT_DECLARE_KERNEL)

#endif
