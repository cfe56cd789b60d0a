/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Fixed-point models: linear regression and an MLP of up to three layers.
 * A model is loaded from a blob (blob.h) into one caller-allocated block
 * and then only read, so it can be published with RCU.
 */
#ifndef KML_MODEL_H
#define KML_MODEL_H

#include <kml/ops.h>

#define KML_MAX_FEATURES	16
#define KML_MAX_HIDDEN		64
#define KML_MAX_OUTPUTS		4
#define KML_MAX_LAYERS		3
/* |Q16 weight| limit: keeps every dot product exact in 64 bits. */
#define KML_MAX_WEIGHT		(128 << KML_Q16_SHIFT)

enum kml_model_kind {
	KML_MODEL_LINEAR = 1,	/* one layer */
	KML_MODEL_MLP = 2,	/* two or three layers */
};

enum kml_wtype {
	KML_WTYPE_Q16 = 1,	/* s32 Q16.16 weights */
	KML_WTYPE_I8 = 2,	/* s8 weights, one kml_qmul scale per layer */
};

struct kml_layer {
	u16 n_in;
	u16 n_out;
	u8 act;			/* enum kml_act */
	struct kml_qmul scale;	/* KML_WTYPE_I8 only */
	const s32 *bias;	/* [n_out] */
	const s32 *w;		/* [n_out][n_in], KML_WTYPE_Q16 */
	const s8 *w8;		/* [n_out][n_in], KML_WTYPE_I8 */
};

struct kml_model {
	u8 kind;
	u8 wtype;
	u8 n_layers;
	u16 n_in;
	u16 n_out;
	u32 version;		/* opaque to libkml: the trainer's model version */
	const s32 *mean;	/* [n_in], Q16 */
	const s32 *inv_std;	/* [n_in], Q16 */
	struct kml_layer layer[KML_MAX_LAYERS];
	u32 store_words;
	s32 store[];		/* what the pointers above point into */
};

/* Scratch space for the activations of one prediction. */
struct kml_work {
	s32 buf[2][KML_MAX_HIDDEN];
};

/*
 * Standardize the n_in features @x (Q16), run the layers and write n_out
 * outputs to @y. The model must come from kml_blob_load().
 */
void kml_model_predict(const struct kml_model *m, const s32 *x, s32 *y,
		       struct kml_work *work);

#endif /* KML_MODEL_H */
