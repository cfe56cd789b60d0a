/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Strided views of up to four dimensions over Q16 data, and the two
 * shape operations that work on views: a one-pass multi-axis reduction and
 * repeat/tile written straight into the output (after the Owl library).
 */
#ifndef KML_TENSOR_H
#define KML_TENSOR_H

#include <kml/fixed.h>

#define KML_MAX_DIMS	4

/* Dims and strides (in elements) are row-major: axis 0 is outermost. */
struct kml_tensor {
	s32 *data;
	u32 ndim;
	u32 dim[KML_MAX_DIMS];
	u32 stride[KML_MAX_DIMS];
};

/* A contiguous view of @data; -EINVAL for a bad shape or > 2^31 elements. */
int kml_tensor_init(struct kml_tensor *t, s32 *data, u32 ndim,
		    const u32 *dim);
/* Number of elements, 0 for an invalid view. */
size_t kml_tensor_numel(const struct kml_tensor *t);

enum kml_reduce_op {
	KML_REDUCE_SUM,		/* saturated */
	KML_REDUCE_MAX,
	KML_REDUCE_MEAN,	/* rounded to nearest, ties away from zero */
};

/*
 * Reduce the axes set in the bit mask @axes. The result goes to out[] in
 * row-major order of the kept axes (numpy's keepdims=False). Every input
 * element is read once, and no buffer is used but @out.
 * Returns the number of outputs, or -EINVAL / -ENOSPC.
 */
int kml_reduce(const struct kml_tensor *in, u32 axes, enum kml_reduce_op op,
	       s32 *out, size_t out_len);

/*
 * numpy.repeat applied on every axis: each element appears reps[k] times
 * along axis k. kml_tile is numpy.tile: the whole block is repeated.
 * @out is contiguous and the only buffer used. Returns the number of
 * outputs, or -EINVAL / -ENOSPC.
 */
int kml_repeat(const struct kml_tensor *in, const u32 *reps, s32 *out,
	       size_t out_len);
int kml_tile(const struct kml_tensor *in, const u32 *reps, s32 *out,
	     size_t out_len);

#endif /* KML_TENSOR_H */
