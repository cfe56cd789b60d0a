// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The self-test: run the fixed vectors of selftest_vectors.c and demand
 * results identical to the bit. kml.ko runs it at load; so do the tests.
 */
#include <kml/selftest.h>
#include <kml/tensor.h>

#define KML_ST_NUMEL	(KML_ST_T0 * KML_ST_T1 * KML_ST_T2)
#define KML_ST_OUT_LEN	(KML_ST_NUMEL * 6)	/* product of KML_ST_REPS */

/* Static rather than on the stack, which is 512 bytes in the kernel. */
static s32 kml_st_in[KML_ST_NUMEL];
static s32 kml_st_out[KML_ST_OUT_LEN];
static u64 kml_st_model[256];
static struct kml_work kml_st_work;

static void kml_st_puts(char *msg, size_t len, const char *s)
{
	size_t at;

	if (!len)
		return;
	at = strlen(msg);

	while (*s && at + 1 < len)
		msg[at++] = *s++;
	msg[at] = '\0';
}

/* |v| < 2^32: 32-bit division is all 32-bit kernels have. */
static void kml_st_putd(char *msg, size_t len, s64 v)
{
	u32 m = v < 0 ? (u32)-v : (u32)v;
	char d[12];
	int i = sizeof(d);

	d[--i] = '\0';
	do {
		d[--i] = '0' + m % 10;
		m /= 10;
	} while (m);
	if (v < 0)
		d[--i] = '-';
	kml_st_puts(msg, len, d + i);
}

static int kml_st_fail(char *msg, size_t len, const char *what,
		       const char *sub, u32 i, s64 got, s64 want)
{
	if (len)
		msg[0] = '\0';
	kml_st_puts(msg, len, what);
	kml_st_puts(msg, len, sub);
	kml_st_puts(msg, len, "[");
	kml_st_putd(msg, len, i);
	kml_st_puts(msg, len, "]: got ");
	kml_st_putd(msg, len, got);
	kml_st_puts(msg, len, ", want ");
	kml_st_putd(msg, len, want);
	return -EINVAL;
}

static int kml_st_cmp(char *msg, size_t len, const char *what,
		      const s32 *got, const s32 *want, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			return kml_st_fail(msg, len, what, "", i, got[i],
					   want[i]);
	return 0;
}

static int kml_st_scalars(char *msg, size_t len)
{
	static const char *const name[] = {
		"mul", "div", "add", "sigmoid", "tanh", "sqrt", "log2", "bucket",
	};
	const struct kml_st_vectors *v = &kml_st;
	const s32 *want[] = {
		v->mul, v->div, v->add, v->sigmoid, v->tanh, v->sqrt, v->log2,
		(const s32 *)v->bucket,
	};
	s32 *o = kml_st_out;
	u32 i, k;
	int err;

	for (i = 0; i < KML_ST_N; i++) {
		o[0 * KML_ST_N + i] = kml_q16_mul(v->a[i], v->b[i]);
		o[1 * KML_ST_N + i] = kml_q16_div(v->a[i], v->b[i]);
		o[2 * KML_ST_N + i] = kml_q16_add(v->a[i], v->b[i]);
		o[3 * KML_ST_N + i] = kml_sigmoid(v->a[i]);
		o[4 * KML_ST_N + i] = kml_tanh(v->a[i]);
		o[5 * KML_ST_N + i] = kml_q16_sqrt(v->a[i]);
		o[6 * KML_ST_N + i] = kml_feat_log2(v->raw[i]);
		o[7 * KML_ST_N + i] = kml_log2_bucket(v->raw[i],
						      KML_ST_BUCKET_MAX);
	}
	for (k = 0; k < ARRAY_SIZE(want); k++) {
		err = kml_st_cmp(msg, len, name[k], o + k * KML_ST_N, want[k],
				 KML_ST_N);
		if (err)
			return err;
	}
	k = kml_argmax(v->a, KML_ST_N);
	if (k != v->argmax)
		return kml_st_fail(msg, len, "argmax", "", 0, k, v->argmax);
	return 0;
}

static int kml_st_ops(char *msg, size_t len)
{
	static const u32 dim[] = { KML_ST_T0, KML_ST_T1, KML_ST_T2 };
	static const u32 reps[] = KML_ST_REPS;
	static const char *const reduce[] = { "sum", "max", "mean" };
	const struct kml_st_vectors *v = &kml_st;
	struct kml_tensor t;
	u32 k, crc;
	int err;

	kml_matvec(v->w, v->bias, v->x, kml_st_out, KML_ST_ROWS, KML_ST_COLS);
	err = kml_st_cmp(msg, len, "matvec", kml_st_out, v->matvec,
			 KML_ST_ROWS);
	if (err)
		return err;
	kml_matvec_i8(v->w8, &v->w8_scale, v->bias, v->x, kml_st_out,
		      KML_ST_ROWS, KML_ST_COLS);
	err = kml_st_cmp(msg, len, "matvec_i8", kml_st_out, v->matvec_i8,
			 KML_ST_ROWS);
	if (err)
		return err;

	memcpy(kml_st_in, v->t, sizeof(kml_st_in));
	kml_tensor_init(&t, kml_st_in, ARRAY_SIZE(dim), dim);
	for (k = KML_REDUCE_SUM; k <= KML_REDUCE_MEAN; k++) {
		kml_reduce(&t, KML_ST_AXES, k, kml_st_out, KML_ST_OUT_LEN);
		err = kml_st_cmp(msg, len, reduce[k], kml_st_out,
				 v->reduce[k], KML_ST_T1);
		if (err)
			return err;
	}
	kml_repeat(&t, reps, kml_st_out, KML_ST_OUT_LEN);
	crc = kml_crc32(0, kml_st_out, sizeof(kml_st_out));
	if (crc != v->repeat_crc)
		return kml_st_fail(msg, len, "repeat crc", "", 0, crc,
				   v->repeat_crc);
	kml_tile(&t, reps, kml_st_out, KML_ST_OUT_LEN);
	crc = kml_crc32(0, kml_st_out, sizeof(kml_st_out));
	if (crc != v->tile_crc)
		return kml_st_fail(msg, len, "tile crc", "", 0, crc,
				   v->tile_crc);
	return 0;
}

static int kml_st_model_run(char *msg, size_t len,
			    const struct kml_st_model *sm)
{
	struct kml_model *m = (struct kml_model *)kml_st_model;
	s32 y[KML_MAX_OUTPUTS];
	u32 i;
	int err;

	err = kml_blob_load(m, sizeof(kml_st_model), sm->blob, sm->len);
	if (err)
		return kml_st_fail(msg, len, "blob ", sm->name, 0, err, 0);
	for (i = 0; i < KML_ST_INPUTS; i++) {
		kml_model_predict(m, kml_st.features[i], y, &kml_st_work);
		if (y[0] != sm->expect[i])
			return kml_st_fail(msg, len, "model ", sm->name, i,
					   y[0], sm->expect[i]);
	}
	return 0;
}

int kml_selftest(char *msg, size_t len)
{
	u32 i;
	int err;

	if (len)
		msg[0] = '\0';
	err = kml_st_scalars(msg, len);
	if (!err)
		err = kml_st_ops(msg, len);
	for (i = 0; !err && i < KML_ST_MODELS; i++)
		err = kml_st_model_run(msg, len, &kml_st.model[i]);
	if (!err)
		kml_st_puts(msg, len, "ok");
	return err;
}
