/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Fixed test vectors with libkml's expected outputs, run by kml.ko at load
 * and by the user-space tests (which also hold them against a double
 * reference). selftest_vectors.c is generated: never edit it by hand, run
 * tests/libkml/gen_selftest_vectors instead.
 */
#ifndef KML_SELFTEST_H
#define KML_SELFTEST_H

#include <kml/blob.h>

/*
 * Run every vector; 0 if all match, else -EINVAL with the first mismatch
 * described in @msg. Uses static buffers: one caller at a time.
 */
int kml_selftest(char *msg, size_t len);

#define KML_ST_N		16	/* scalar cases */
#define KML_ST_BUCKET_MAX	40
#define KML_ST_ROWS		4
#define KML_ST_COLS		6
#define KML_ST_T0		3	/* the tensor is T0 x T1 x T2 */
#define KML_ST_T1		4
#define KML_ST_T2		5
#define KML_ST_AXES		0x5	/* reduce over axes 0 and 2 */
#define KML_ST_REPS		{ 2, 1, 3 }
#define KML_ST_MODELS		3
#define KML_ST_INPUTS		5
#define KML_ST_FEATURES		8

struct kml_st_model {
	const char *name;
	const u8 *blob;
	u32 len;
	s32 expect[KML_ST_INPUTS];	/* output 0 for each of features[] */
};

struct kml_st_vectors {
	/* Q16 scalar ops: (a[i], b[i]) and a[i] alone */
	s32 a[KML_ST_N], b[KML_ST_N];
	s32 mul[KML_ST_N], div[KML_ST_N], add[KML_ST_N];
	s32 sigmoid[KML_ST_N], tanh[KML_ST_N], sqrt[KML_ST_N];
	u32 argmax;
	/* feature transforms */
	u64 raw[KML_ST_N];
	s32 log2[KML_ST_N];
	u32 bucket[KML_ST_N];
	/* y = w x + bias with Q16 weights, and with int8 weights w8 */
	s32 w[KML_ST_ROWS * KML_ST_COLS], bias[KML_ST_ROWS], x[KML_ST_COLS];
	s32 matvec[KML_ST_ROWS];
	s8 w8[KML_ST_ROWS * KML_ST_COLS];
	struct kml_qmul w8_scale;
	s32 matvec_i8[KML_ST_ROWS];
	/* t reduced over KML_ST_AXES (sum, max, mean); CRCs of repeat, tile */
	s32 t[KML_ST_T0 * KML_ST_T1 * KML_ST_T2];
	s32 reduce[3][KML_ST_T1];
	u32 repeat_crc, tile_crc;
	/* models, each run on every row of features (Q16) */
	s32 features[KML_ST_INPUTS][KML_ST_FEATURES];
	struct kml_st_model model[KML_ST_MODELS];
};

extern const struct kml_st_vectors kml_st;

#endif /* KML_SELFTEST_H */
