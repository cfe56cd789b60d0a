// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Bit-identity across architectures: run the self-test, then every op on
 * seeded inputs (edges included) and print a CRC of each op's outputs.
 * scripts/test-libkml-aarch64.sh runs this on x86_64 and under
 * qemu-aarch64 and demands the same lines. Plain C: no gtest for arm64.
 */
#include <stdio.h>

#include <kml/selftest.h>
#include <kml/tensor.h>

#define N	4096

static s32 a[N], b[N], y[N];
static s8 q[N];
static u64 model_buf[KML_MODEL_MAX_SIZE / 8 + 1];
static u64 rng = 0x786172636821;	/* "xarch!" */
static u32 failed;

static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mostly moderate Q16 values, with the full range and edges mixed in. */
static s32 rnd_q16(void)
{
	switch (next() % 8) {
	case 0:
		return (s32)next();
	case 1:
		return next() & 1 ? KML_Q16_MAX : KML_Q16_MIN;
	default:
		return (s32)(next() % (64 << 16)) - (32 << 16);
	}
}

static void report(const char *what, const void *p, size_t bytes)
{
	printf("%-10s %08x\n", what, kml_crc32(0, p, bytes));
}

static void scalars(void)
{
	struct kml_qmul s;
	u32 i;

	for (i = 0; i < N; i++)
		y[i] = kml_q16_mul(a[i], b[i]);
	report("mul", y, sizeof(y));
	for (i = 0; i < N; i++)
		y[i] = kml_q16_div(a[i], b[i] >> (i % 24));
	report("div", y, sizeof(y));
	for (i = 0; i < N; i++)
		y[i] = kml_sigmoid(a[i]);
	report("sigmoid", y, sizeof(y));
	for (i = 0; i < N; i++)
		y[i] = kml_tanh(b[i]);
	report("tanh", y, sizeof(y));
	for (i = 0; i < N; i++)
		y[i] = kml_q16_sqrt(a[i]) ^ kml_feat_log2(next() >> (i % 64));
	report("sqrt+log2", y, sizeof(y));
	for (i = 0; i < N; i++) {
		s.mult = KML_QMUL_MULT_MIN + (s32)(next() % KML_QMUL_MULT_MIN);
		s.shift = KML_QMUL_SHIFT_MIN + (s32)(next() % 49);
		y[i] = kml_qmul_apply((s64)next() >> (i % 64), &s);
	}
	report("qmul", y, sizeof(y));
}

static void vectors(void)
{
	struct kml_qmul s = { 0x5a5a5a5a, -3 };
	u32 i;

	for (i = 0; i < N; i++)
		q[i] = (s8)next();
	kml_matvec(a, b, b, y, 64, 64);
	report("matvec", y, 64 * 4);
	kml_matvec_i8(q, &s, b, a, y, 64, 64);
	report("matvec_i8", y, 64 * 4);
	kml_matmul(a, b, y, 32, 64, 48);
	report("matmul", y, 32 * 48 * 4);
	kml_add(a, b, y, N);
	kml_mul(y, b, y, N);
	kml_scale(y, a[7], y, N);
	kml_standardize(y, a, b, y, N);
	kml_activate(y, N, KML_ACT_RELU);
	y[0] = kml_argmax(y, N);
	report("elementwise", y, sizeof(y));
}

/* Random shapes, axis masks and permuted views through reduce/repeat/tile. */
static void shapes(void)
{
	struct kml_tensor t;
	u32 crc = 0, i, k, axes, reps[KML_MAX_DIMS], dim[KML_MAX_DIMS];
	enum kml_reduce_op op;
	int n;

	for (i = 0; i < 200; i++) {
		u32 nd = 1 + next() % KML_MAX_DIMS;

		for (k = 0; k < nd; k++) {
			dim[k] = 1 + next() % 6;
			reps[k] = 1 + next() % 3;
		}
		kml_tensor_init(&t, a, nd, dim);
		if (nd > 1 && next() % 2) {	/* swap two axes: a strided view */
			u32 d = t.dim[0], s = t.stride[0];

			t.dim[0] = t.dim[nd - 1];
			t.stride[0] = t.stride[nd - 1];
			t.dim[nd - 1] = d;
			t.stride[nd - 1] = s;
		}
		axes = next() % (1U << nd);	/* one next() per statement: */
		op = next() % 3;		/* argument order is unspecified */
		n = kml_reduce(&t, axes, op, y, N);
		crc = kml_crc32(crc, y, 4 * (n > 0 ? n : 0));
		n = kml_repeat(&t, reps, y, N);
		crc = kml_crc32(crc, y, 4 * (n > 0 ? n : 0));
		n = kml_tile(&t, reps, y, N);
		crc = kml_crc32(crc, y, 4 * (n > 0 ? n : 0));
	}
	printf("%-10s %08x\n", "shapes", crc);
}

static void models(void)
{
	struct kml_model *m = (struct kml_model *)model_buf;
	struct kml_work work;
	u32 crc = 0, i, k;
	s32 out[KML_MAX_OUTPUTS];

	for (i = 0; i < KML_ST_MODELS; i++) {
		if (kml_blob_load(m, sizeof(model_buf), kml_st.model[i].blob,
				  kml_st.model[i].len)) {
			printf("FAIL: blob %s does not load\n",
			       kml_st.model[i].name);
			failed++;
			continue;
		}
		for (k = 0; k + KML_ST_FEATURES <= N; k += KML_ST_FEATURES) {
			kml_model_predict(m, a + k, out, &work);
			crc = kml_crc32(crc, out, 4 * m->n_out);
		}
	}
	printf("%-10s %08x\n", "models", crc);
}

int main(void)
{
	char msg[128];
	u32 i;
	int err = kml_selftest(msg, sizeof(msg));

	printf("selftest   %s\n", msg);
	if (err)
		failed++;
	for (i = 0; i < N; i++) {
		a[i] = rnd_q16();
		b[i] = rnd_q16();
	}
	scalars();
	vectors();
	shapes();
	models();
	printf("%u passed, %u failed\n", failed ? 0 : 1, failed);
	return failed ? 1 : 0;
}
