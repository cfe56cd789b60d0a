// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The model blob validator and loader. A blob comes from user space: every
 * field is checked before it is used, each failure has its own code, and
 * the payload is only read after its length and CRC are known to be right.
 */
#include <kml/blob.h>

_Static_assert(sizeof(struct kml_blob_header) == 64, "the header is ABI");

/* Read @n (1, 2 or 4) little-endian bytes, whatever the host's order. */
static u32 kml_get_le(const u8 *p, size_t n)
{
	u32 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

#define KML_HDR_GET(h, b, field)					\
	((h)->field = kml_get_le((b) + offsetof(struct kml_blob_header,	\
						field),			\
				 sizeof((h)->field)))

static void kml_blob_decode(struct kml_blob_header *h, const u8 *b)
{
	u32 i;

	KML_HDR_GET(h, b, magic);
	KML_HDR_GET(h, b, version);
	KML_HDR_GET(h, b, header_size);
	KML_HDR_GET(h, b, kind);
	KML_HDR_GET(h, b, wtype);
	KML_HDR_GET(h, b, frac_bits);
	KML_HDR_GET(h, b, n_layers);
	for (i = 0; i < ARRAY_SIZE(h->dim); i++)
		KML_HDR_GET(h, b, dim[i]);
	KML_HDR_GET(h, b, hidden_act);
	KML_HDR_GET(h, b, out_act);
	KML_HDR_GET(h, b, flags);
	KML_HDR_GET(h, b, model_version);
	KML_HDR_GET(h, b, payload_size);
	for (i = 0; i < KML_MAX_LAYERS; i++) {
		KML_HDR_GET(h, b, scale_mult[i]);
		KML_HDR_GET(h, b, scale_shift[i]);
	}
	KML_HDR_GET(h, b, reserved0);
	for (i = 0; i < ARRAY_SIZE(h->reserved); i++)
		KML_HDR_GET(h, b, reserved[i]);
	KML_HDR_GET(h, b, crc32);
}

/* Bytes of layer @l's weights in the payload, int8 padded to 4. */
static size_t kml_weight_bytes(const struct kml_blob_header *h, u32 l)
{
	size_t n = (size_t)h->dim[l] * h->dim[l + 1];

	return h->wtype == KML_WTYPE_I8 ? (n + 3) & ~(size_t)3 : 4 * n;
}

/* The payload size the (already checked) dims and weight type imply. */
static size_t kml_payload_bytes(const struct kml_blob_header *h)
{
	size_t n = 8 * (size_t)h->dim[0];
	u32 l;

	for (l = 0; l < h->n_layers; l++)
		n += 4 * (size_t)h->dim[l + 1] + kml_weight_bytes(h, l);
	return n;
}

static int kml_check_dims(const struct kml_blob_header *h)
{
	u32 i;

	if (h->kind == KML_MODEL_LINEAR ? h->n_layers != 1 :
	    h->n_layers < 2 || h->n_layers > KML_MAX_LAYERS)
		return KML_BLOB_ELAYERS;
	if (h->dim[0] < 1 || h->dim[0] > KML_MAX_FEATURES)
		return KML_BLOB_EINPUTS;
	for (i = 1; i < ARRAY_SIZE(h->dim); i++) {
		if (i == h->n_layers)
			continue;
		if (i > h->n_layers ? h->dim[i] != 0 :
		    h->dim[i] < 1 || h->dim[i] > KML_MAX_HIDDEN)
			return KML_BLOB_EHIDDEN;
	}
	if (h->dim[h->n_layers] < 1 || h->dim[h->n_layers] > KML_MAX_OUTPUTS)
		return KML_BLOB_EOUTPUTS;
	return 0;
}

static int kml_check_scales(const struct kml_blob_header *h)
{
	u32 l;

	for (l = 0; l < KML_MAX_LAYERS; l++) {
		bool used = h->wtype == KML_WTYPE_I8 && l < h->n_layers;
		s32 mult = h->scale_mult[l], shift = h->scale_shift[l];

		if (used ? mult < KML_QMUL_MULT_MIN : mult != 0)
			return KML_BLOB_ESCALE;
		if (used ? shift < KML_QMUL_SHIFT_MIN ||
			   shift > KML_QMUL_SHIFT_MAX : shift != 0)
			return KML_BLOB_ESHIFT;
	}
	return 0;
}

static u32 kml_blob_crc(const u8 *b, size_t len)
{
	static const u8 zero[4];
	size_t at = offsetof(struct kml_blob_header, crc32);
	u32 crc = kml_crc32(0, b, at);

	crc = kml_crc32(crc, zero, sizeof(zero));
	return kml_crc32(crc, b + at + 4, len - at - 4);
}

/* Everything up to and including the CRC; the payload is not read yet. */
static int kml_blob_parse(struct kml_blob_header *h, const u8 *b, size_t len)
{
	size_t payload;
	u32 i;
	int err;

	if (len < sizeof(*h))
		return KML_BLOB_ETRUNC;
	kml_blob_decode(h, b);
	if (h->magic != KML_BLOB_MAGIC)
		return KML_BLOB_EMAGIC;
	if (h->version != KML_BLOB_VERSION)
		return KML_BLOB_EVERSION;
	if (h->header_size != sizeof(*h))
		return KML_BLOB_EHDRSIZE;
	if (h->kind != KML_MODEL_LINEAR && h->kind != KML_MODEL_MLP)
		return KML_BLOB_EKIND;
	if (h->wtype != KML_WTYPE_Q16 && h->wtype != KML_WTYPE_I8)
		return KML_BLOB_EWTYPE;
	if (h->frac_bits != KML_BLOB_FRAC_BITS)
		return KML_BLOB_EFRAC;
	err = kml_check_dims(h);
	if (err)
		return err;
	if (h->kind == KML_MODEL_LINEAR ? h->hidden_act != KML_ACT_NONE :
	    h->hidden_act >= KML_ACT_COUNT)
		return KML_BLOB_EACT;
	if (h->out_act >= KML_ACT_COUNT)
		return KML_BLOB_EOUTACT;
	if (h->flags)
		return KML_BLOB_EFLAGS;
	payload = kml_payload_bytes(h);
	if (h->payload_size != payload)
		return KML_BLOB_EPAYLOAD;
	err = kml_check_scales(h);
	if (err)
		return err;
	if (h->reserved0)
		return KML_BLOB_ERESERVED;
	for (i = 0; i < ARRAY_SIZE(h->reserved); i++)
		if (h->reserved[i])
			return KML_BLOB_ERESERVED;
	if (len != sizeof(*h) + payload)
		return KML_BLOB_ELENGTH;
	if (kml_blob_crc(b, len) != h->crc32)
		return KML_BLOB_ECRC;
	return 0;
}

/*
 * Check the payload's values and, if @store is not NULL, copy it there in
 * host order. The store has the payload's layout word for word.
 */
static int kml_blob_walk(const struct kml_blob_header *h, const u8 *p,
			 s32 *store)
{
	size_t n_in = h->dim[0], i, n, w = 0;
	u32 l;
	s32 v;

	for (i = 0; i < 2 * n_in; i++, w++) {
		v = kml_get_le(p + 4 * w, 4);
		if (i >= n_in && v <= 0)
			return KML_BLOB_ESTD;
		if (store)
			store[w] = v;
	}
	for (l = 0; l < h->n_layers; l++) {
		for (i = 0; i < h->dim[l + 1]; i++, w++)	/* bias */
			if (store)
				store[w] = kml_get_le(p + 4 * w, 4);
		n = (size_t)h->dim[l] * h->dim[l + 1];
		if (h->wtype == KML_WTYPE_I8) {
			for (i = n; i < kml_weight_bytes(h, l); i++)
				if (p[4 * w + i])
					return KML_BLOB_EPAD;
			if (store)
				memcpy(store + w, p + 4 * w, n);
			w += kml_weight_bytes(h, l) / 4;
			continue;
		}
		for (i = 0; i < n; i++, w++) {
			v = kml_get_le(p + 4 * w, 4);
			if (v > KML_MAX_WEIGHT || v < -KML_MAX_WEIGHT)
				return KML_BLOB_EWEIGHT;
			if (store)
				store[w] = v;
		}
	}
	return 0;
}

size_t kml_blob_max_size(void)
{
	return KML_BLOB_MAX_SIZE;
}

int kml_blob_check(const void *blob, size_t len, size_t *model_size)
{
	struct kml_blob_header h;
	int err;

	err = kml_blob_parse(&h, blob, len);
	if (!err)
		err = kml_blob_walk(&h, (const u8 *)blob + sizeof(h), NULL);
	if (!err && model_size)
		*model_size = sizeof(struct kml_model) + h.payload_size;
	return err;
}

/* Point the model's fields into its store; the blob is valid. */
static void kml_model_wire(struct kml_model *m,
			   const struct kml_blob_header *h)
{
	const s32 *s = m->store;
	u32 l;

	m->kind = h->kind;
	m->wtype = h->wtype;
	m->n_layers = h->n_layers;
	m->n_in = h->dim[0];
	m->n_out = h->dim[h->n_layers];
	m->version = h->model_version;
	m->store_words = h->payload_size / 4;
	m->mean = s;
	m->inv_std = s + m->n_in;
	s += 2 * m->n_in;
	for (l = 0; l < h->n_layers; l++) {
		struct kml_layer *ly = &m->layer[l];

		ly->n_in = h->dim[l];
		ly->n_out = h->dim[l + 1];
		ly->act = l + 1 < h->n_layers ? h->hidden_act : h->out_act;
		ly->scale.mult = h->scale_mult[l];
		ly->scale.shift = h->scale_shift[l];
		ly->bias = s;
		s += ly->n_out;
		ly->w = h->wtype == KML_WTYPE_Q16 ? s : NULL;
		ly->w8 = h->wtype == KML_WTYPE_I8 ? (const s8 *)s : NULL;
		s += kml_weight_bytes(h, l) / 4;
	}
	for (; l < KML_MAX_LAYERS; l++)
		memset(&m->layer[l], 0, sizeof(m->layer[l]));
}

int kml_blob_load(struct kml_model *m, size_t size, const void *blob,
		  size_t len)
{
	struct kml_blob_header h;
	int err;

	err = kml_blob_parse(&h, blob, len);
	if (err)
		return err;
	if (size < sizeof(*m) + h.payload_size)
		return KML_BLOB_ENOSPC;
	err = kml_blob_walk(&h, (const u8 *)blob + sizeof(h), m->store);
	if (err)
		return err;
	kml_model_wire(m, &h);
	return 0;
}

static const char *const kml_blob_errstr[] = {
	[-KML_BLOB_OK] = "ok",
	[-KML_BLOB_ETRUNC] = "shorter than the header",
	[-KML_BLOB_EMAGIC] = "bad magic",
	[-KML_BLOB_EVERSION] = "unsupported format version",
	[-KML_BLOB_EHDRSIZE] = "bad header size",
	[-KML_BLOB_EKIND] = "unknown model kind",
	[-KML_BLOB_EWTYPE] = "unknown weight type",
	[-KML_BLOB_EFRAC] = "unsupported Q format",
	[-KML_BLOB_ELAYERS] = "layer count wrong for the kind",
	[-KML_BLOB_EINPUTS] = "input count out of range",
	[-KML_BLOB_EHIDDEN] = "hidden width out of range",
	[-KML_BLOB_EOUTPUTS] = "output count out of range",
	[-KML_BLOB_EACT] = "bad hidden activation",
	[-KML_BLOB_EOUTACT] = "bad output activation",
	[-KML_BLOB_EFLAGS] = "unknown flags",
	[-KML_BLOB_EPAYLOAD] = "payload size does not match the dims",
	[-KML_BLOB_ESCALE] = "bad int8 scale multiplier",
	[-KML_BLOB_ESHIFT] = "bad int8 scale shift",
	[-KML_BLOB_ERESERVED] = "reserved field not zero",
	[-KML_BLOB_ELENGTH] = "length does not match the header",
	[-KML_BLOB_ECRC] = "CRC mismatch",
	[-KML_BLOB_ESTD] = "inverse std not positive",
	[-KML_BLOB_EWEIGHT] = "weight out of range",
	[-KML_BLOB_EPAD] = "int8 padding not zero",
	[-KML_BLOB_ENOSPC] = "model buffer too small",
};

const char *kml_blob_strerror(int err)
{
	if (err > 0 || err < KML_BLOB_ERR_MIN)
		return "unknown error";
	return kml_blob_errstr[-err];
}

/* CRC-32 (reflected 0xedb88320), four bits at a time: a 64-byte table. */
static const u32 kml_crc32_tab[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

u32 kml_crc32(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ kml_crc32_tab[crc & 15];
		crc = (crc >> 4) ^ kml_crc32_tab[crc & 15];
	}
	return ~crc;
}
