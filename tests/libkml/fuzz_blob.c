// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the blob validator (scripts/fuzz-blob.sh). Each
 * input is checked as it is, then again with its CRC made right, so that
 * the fuzzer gets past the CRC to the fields and the payload behind it.
 * Whatever validates must load and run.
 */
#include <stdlib.h>

#include <kml/blob.h>

static u8 blob[KML_BLOB_MAX_SIZE];
static u64 model_buf[KML_MODEL_MAX_SIZE / 8 + 1];

static void run(const u8 *b, size_t len)
{
	struct kml_model *m = (struct kml_model *)model_buf;
	s32 x[KML_MAX_FEATURES] = { KML_Q16_MAX, KML_Q16_MIN, 1, -1 };
	s32 y[KML_MAX_OUTPUTS];
	struct kml_work work;
	size_t size = 0;
	int err = kml_blob_check(b, len, &size);

	if (err < KML_BLOB_ERR_MIN || err > 0)
		abort();
	if (err)
		return;
	if (size > sizeof(model_buf) || kml_blob_load(m, size, b, len))
		abort();
	kml_model_predict(m, x, y, &work);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	size_t at = offsetof(struct kml_blob_header, crc32);
	u32 crc;
	int i;

	run(data, len);
	if (len < sizeof(struct kml_blob_header) || len > sizeof(blob))
		return 0;
	memcpy(blob, data, len);
	memset(blob + at, 0, 4);
	crc = kml_crc32(0, blob, len);
	for (i = 0; i < 4; i++)
		blob[at + i] = crc >> (8 * i);
	run(blob, len);
	return 0;
}
